// SPDX-License-Identifier: GPL-3.0-or-later
// Two models side by side: one time axis and playhead, tags aligned across vocabularies,
// agreement of their evidence.
#include <gtest/gtest.h>

#include <QSignalSpy>

#include "ui/compare_window.h"
#include "ui/timeline_plot.h"
#include "ui/track_views.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

std::shared_ptr<const analysis::TrackAnalysis> analysisOf(std::vector<std::string> names, std::vector<std::string> vocabularies,
                                                          std::vector<float> scores) {
    auto a = std::make_shared<analysis::TrackAnalysis>();
    a->tagNames = std::move(names);
    a->vocabularyOfTag = std::move(vocabularies);
    a->trackScores = scores;
    a->durationSeconds = 30.0;
    a->melFrameSeconds = 0.5;
    a->mel.nMels = 8;
    a->mel.nFrames = 60;
    a->mel.values.assign(480, -40.0f);
    a->taggram.tagCount = scores.size();
    a->taggram.chunkStartSeconds = {0.0};
    a->taggram.chunkEndSeconds = {30.0};
    a->taggram.values = scores;
    return a;
}

} // namespace

TEST(CompareWindow, SharesTheTimeAxisAndPlayheadAndAlignsTags) {
    CompareWindow window(nullptr);
    window.resize(1200, 700);
    const auto a = analysisOf({"genre---electronic", "instrument---piano"}, {"jamendo_top50", "jamendo_top50"}, {0.9f, 0.2f});
    const auto b = analysisOf({"piano", "electronic", "guitar"}, {"msd_top50", "msd_top50", "msd_top50"}, {0.3f, 0.7f, 0.1f});
    window.showAnalyses(a, dsp::MelConfig{}, QStringLiteral("Model A"), b, dsp::MelConfig{}, QStringLiteral("Model B"));

    // One time axis: zooming either view moves the other.
    window.viewsA()->plot()->setTimeRange(2.0, 5.0);
    auto [lo, hi] = window.viewsB()->plot()->timeRange();
    EXPECT_DOUBLE_EQ(lo, 2.0);
    EXPECT_DOUBLE_EQ(hi, 5.0);
    window.viewsB()->plot()->setTimeRange(10.0, 20.0);
    std::tie(lo, hi) = window.viewsA()->plot()->timeRange();
    EXPECT_DOUBLE_EQ(lo, 10.0);
    EXPECT_DOUBLE_EQ(hi, 20.0);
    // ... at the same pixel: the data areas line up although A's tag labels are longer.
    window.show();
    for (int i = 0; i < 4; ++i) {
        window.viewsA()->plot()->replot();
        window.viewsB()->plot()->replot();
        QCoreApplication::processEvents();
    }
    EXPECT_EQ(window.viewsA()->plot()->sideMargins(), window.viewsB()->plot()->sideMargins());
    EXPECT_GT(window.viewsA()->plot()->sideMargins().first, 0);
    window.setPlayhead(12.5);
    EXPECT_DOUBLE_EQ(window.viewsA()->plot()->playhead(), 12.5);
    EXPECT_DOUBLE_EQ(window.viewsB()->plot()->playhead(), 12.5);
    QSignalSpy seek(&window, &CompareWindow::seekRequested);
    Q_EMIT window.viewsB()->plot()->seekRequested(7.0);
    ASSERT_EQ(seek.count(), 1);
    EXPECT_DOUBLE_EQ(seek.front().at(0).toDouble(), 7.0);

    // Tags aligned across vocabularies: Jamendo's 'genre---electronic' is MSD's 'electronic'.
    const auto& rows = window.rows();
    const auto electronic = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.name == "electronic"; });
    ASSERT_NE(electronic, rows.end());
    EXPECT_FLOAT_EQ(electronic->scoreA, 0.9f);
    EXPECT_FLOAT_EQ(electronic->scoreB, 0.7f);
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.name == "guitar"; }), 0);
    EXPECT_EQ(window.comparison().modelA, a->modelId);

    // Where their evidence agrees: both explanations of the selected row arrive.
    ASSERT_TRUE(window.selectRow(int(electronic - rows.begin())));
    analysis::TagExplanation ea;
    ea.tag = electronic->evidenceA;
    ea.evidenceSegments = {{4.0, 6.0}, {10.0, 12.0}};
    analysis::TagExplanation eb;
    eb.tag = electronic->evidenceB;
    eb.evidenceSegments = {{4.0, 6.0}, {20.0, 22.0}};
    window.takeExplanation(false, ea);
    EXPECT_TRUE(window.agreementText().contains(QStringLiteral("Explaining")));
    window.takeExplanation(true, eb);
    EXPECT_TRUE(window.agreementText().contains(QStringLiteral("Evidence overlap 33%"))) << window.agreementText().toStdString();
    EXPECT_FALSE(window.selectRow(99));
}

TEST(CompareWindow, AlignsThroughTheTaxonomyLikeTheCompareCommand) {
    // No tag name in common; both hierarchies hold the group 'keys' (Jamendo's piano, MSD's
    // synth): the table aligns it as a group row, max-pooled, exactly as compareAnalyses does.
    auto a = std::make_shared<analysis::TrackAnalysis>(
        *analysisOf({"instrument---piano", "genre---rock"}, {"jamendo_top50", "jamendo_top50"}, {0.8f, 0.1f}));
    auto b = std::make_shared<analysis::TrackAnalysis>(
        *analysisOf({"synth", "jazz", "organ"}, {"msd_top50", "msd_top50", "msd_top50"}, {0.3f, 0.2f, 0.6f}));
    a->hierarchy = {tags::CoarseTag{"keys", 0.8f, 0, "instrument---piano", {0}, false, {}}};
    b->hierarchy = {tags::CoarseTag{"keys", 0.6f, 2, "organ", {0, 2}, false, {}}};
    CompareWindow window(nullptr);
    window.showAnalyses(a, dsp::MelConfig{}, QStringLiteral("A"), b, dsp::MelConfig{}, QStringLiteral("B"));
    const auto expected = analysis::compareAnalyses(*a, *b, nullptr, nullptr);
    ASSERT_EQ(window.rows().size(), expected.tags.size());
    const auto& rows = window.rows();
    const auto keys = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.name == "keys"; });
    ASSERT_NE(keys, rows.end());
    EXPECT_EQ(keys->kind, "group");
    EXPECT_FLOAT_EQ(keys->scoreA, 0.8f);
    EXPECT_FLOAT_EQ(keys->scoreB, 0.6f);
    EXPECT_EQ(keys->evidenceB, 2u); // B explains its strongest member, 'organ'
    ASSERT_TRUE(window.selectRow(int(keys - rows.begin())));
    EXPECT_TRUE(window.agreementText().contains(QStringLiteral("keys"))) << window.agreementText().toStdString();
}

TEST(CompareWindow, EvidenceAgreementIsTheOverlapOfEvidenceTime) {
    EXPECT_DOUBLE_EQ(evidenceAgreement({{0.0, 2.0}}, {{0.0, 2.0}}), 1.0);
    EXPECT_DOUBLE_EQ(evidenceAgreement({{0.0, 2.0}}, {{2.0, 4.0}}), 0.0);
    EXPECT_DOUBLE_EQ(evidenceAgreement({{0.0, 2.0}}, {{1.0, 3.0}}), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(evidenceAgreement({}, {}), 1.0);
}
