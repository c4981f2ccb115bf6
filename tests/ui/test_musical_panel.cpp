// SPDX-License-Identifier: GPL-3.0-or-later
// The "Why, in musical terms" panel and the feature curves, offscreen, with a synthetic
// surrogate whose answers are known ("bright" depends only on key strength).
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>

#include "core/surrogate/musical_explanation.h"
#include "tests/support/synthetic_surrogate.h"
#include "ui/feature_curves_view.h"
#include "ui/musical_panel.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

/// "bright" (tag 1) for a track and three 5 s segments whose key strength is 0.2, 0.95, 0.6.
surrogate::MusicalTagExplanation brightExplanation(const surrogate::SurrogateModel& model) {
    surrogate::FeatureMatrix track, segments;
    track.appendRow(std::vector<float>{128.0f, -12.0f, 2500.0f, 0.6f, 0.5f, 0.5f});
    for (float strength : {0.2f, 0.95f, 0.6f})
        segments.appendRow(std::vector<float>{128.0f, -12.0f, 2500.0f, strength, 0.5f, 0.5f});
    auto e = surrogate::explainInMusicalTerms(model, 1, track, segments, {{0.0, 5.0}, {5.0, 10.0}, {10.0, 15.0}});
    EXPECT_TRUE(e) << e.error().message;
    return e ? *e : surrogate::MusicalTagExplanation{};
}

} // namespace

TEST(MusicalPanel, ShowsTopContributionsWithValuesUnitsAndFidelity) {
    const auto model = test::syntheticSurrogate();
    const auto e = brightExplanation(model);
    MusicalPanel panel;
    panel.resize(330, 260);
    panel.setExplanation(e, QStringLiteral("bright"), 6);
    const auto bars = panel.barFeatures();
    ASSERT_EQ(bars.size(), 6u);
    EXPECT_EQ(bars.front(), 3u); // key strength
    EXPECT_TRUE(panel.barText(0).startsWith(QStringLiteral("key strength 0.60: "))) << panel.barText(0).toStdString();
    EXPECT_TRUE(panel.barText(0).contains(QStringLiteral(": +"))) << panel.barText(0).toStdString();
    // Bars of other features carry their units.
    bool tempoWithUnit = false;
    for (int i = 0; i < 6; ++i) tempoWithUnit = tempoWithUnit || panel.barText(i).startsWith(QStringLiteral("tempo 128 BPM: "));
    EXPECT_TRUE(tempoWithUnit);
    EXPECT_TRUE(panel.fidelityText().contains(QStringLiteral("R² "))) << panel.fidelityText().toStdString();
    EXPECT_TRUE(panel.fidelityText().contains(QStringLiteral("good"))) << panel.fidelityText().toStdString();

    panel.showMessage(QStringLiteral("no surrogate"));
    EXPECT_TRUE(panel.barFeatures().empty());
    EXPECT_TRUE(panel.fidelityText().contains(QStringLiteral("no surrogate")));
    EXPECT_TRUE(MusicalPanel::fidelitySentence(std::nullopt).contains(QStringLiteral("unknown")));
    surrogate::TagFidelity poor;
    poor.r2 = 0.1;
    EXPECT_TRUE(MusicalPanel::fidelitySentence(poor).contains(QStringLiteral("poor")));
}

TEST(MusicalPanel, ClickingAFeatureMarksTheSegmentsWhereItPushesTheTagMost) {
    const auto model = test::syntheticSurrogate();
    const auto e = brightExplanation(model);
    MusicalPanel panel;
    panel.resize(330, 260);
    panel.setExplanation(e, QStringLiteral("bright"), 4);
    panel.show();
    QSignalSpy spy(&panel, &MusicalPanel::featureSelected);
    QWidget* bars = nullptr;
    for (auto* w : panel.findChildren<QWidget*>())
        if (w->cursor().shape() == Qt::PointingHandCursor) bars = w;
    ASSERT_NE(bars, nullptr);
    QTest::mouseClick(bars, Qt::LeftButton, {}, QPoint(20, 2 + 10)); // first row: key strength
    ASSERT_EQ(spy.count(), 1);
    EXPECT_EQ(spy.at(0).at(0).value<size_t>(), 3u);
    ASSERT_TRUE(panel.selectedFeature());
    // Key strength pushes "bright" up in the strong-key segments, strongest first; the weak
    // segment (0.2) pulls it down and is not marked.
    const auto spans = e.segmentsPushedBy(3, 3);
    ASSERT_EQ(spans.size(), 2u);
    EXPECT_EQ(spans[0], std::make_pair(5.0, 10.0));
    EXPECT_EQ(spans[1], std::make_pair(10.0, 15.0));
}

TEST(FeatureCurvesView, DrawsTempoLoudnessBrightnessAndKeyStrengthAndMarksSegments) {
    const auto model = test::syntheticSurrogate(5);
    const auto e = brightExplanation(model);
    FeatureCurvesView view;
    view.resize(800, 120);
    view.setExplanation(e, 15.0);
    const QStringList rows = view.rowNames();
    ASSERT_EQ(rows.size(), 4);
    EXPECT_EQ(rows[0], QStringLiteral("tempo (BPM)"));
    EXPECT_EQ(rows[1], QStringLiteral("loudness (LUFS)"));
    EXPECT_EQ(rows[3], QStringLiteral("key strength"));
    view.setMarkedSegments({{5.0, 10.0}, {10.0, 15.0}});
    EXPECT_EQ(view.markedCount(), 8); // two spans in four rows
    view.setMarkedSegments({});
    EXPECT_EQ(view.markedCount(), 0);
    view.setTimeRange(2.0, 7.0);
    view.clear();
    EXPECT_TRUE(view.rowNames().isEmpty());
}
