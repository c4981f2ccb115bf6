// SPDX-License-Identifier: GPL-3.0-or-later
// Widgets offscreen: tag panel (ranking, grouping, threshold, selection), shared time axis,
// settings round trip, and the window constructing without any audio device.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTreeWidget>

#include "ui/main_window.h"
#include "ui/playback_controller.h"
#include "ui/settings.h"
#include "ui/tag_panel.h"
#include "ui/timeline_plot.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

analysis::TrackAnalysis threeTags() {
    analysis::TrackAnalysis a;
    a.tagNames = {"guitar", "piano", "violin"};
    a.trackScores = {0.30f, 0.90f, 0.02f};
    return a;
}

int visibleTags(const TagPanel& panel) {
    int n = 0;
    for (QTreeWidgetItemIterator it(panel.findChild<QTreeWidget*>()); *it; ++it)
        if ((*it)->data(0, Qt::UserRole).isValid() && !(*it)->isHidden()) ++n;
    return n;
}

} // namespace

TEST(TagPanel, RanksHidesBelowThresholdAndSelects) {
    TagPanel panel;
    panel.setThreshold(0.05);
    panel.setAnalysis(threeTags());
    auto* tree = panel.findChild<QTreeWidget*>();
    ASSERT_EQ(tree->topLevelItemCount(), 3);
    EXPECT_EQ(tree->topLevelItem(0)->text(0), QStringLiteral("piano"));
    EXPECT_EQ(tree->topLevelItem(1)->text(0), QStringLiteral("guitar"));
    EXPECT_EQ(visibleTags(panel), 2); // violin (0.02) is under the threshold
    panel.setThreshold(0.5);
    EXPECT_EQ(visibleTags(panel), 1);

    QSignalSpy selected(&panel, &TagPanel::selectionChanged);
    ASSERT_TRUE(panel.selectTag(0)); // guitar, hidden by the threshold, is shown when selected
    ASSERT_GE(selected.count(), 1);
    EXPECT_EQ(panel.selectedTags(), std::vector<size_t>{0});
    EXPECT_FALSE(panel.selectTag(7));
}

TEST(TagPanel, GroupsFineTagsUnderCoarseTags) {
    auto a = threeTags();
    analysis::CoarseTag strings;
    strings.group = "strings";
    strings.score = 0.30f;
    strings.members = {0, 2};
    a.hierarchy = {strings};
    TagPanel panel;
    panel.setThreshold(0.0);
    panel.setAnalysis(a);
    auto* tree = panel.findChild<QTreeWidget*>();
    ASSERT_EQ(tree->topLevelItemCount(), 2); // "strings" and "other"
    EXPECT_EQ(tree->topLevelItem(0)->text(0), QStringLiteral("strings"));
    EXPECT_EQ(tree->topLevelItem(0)->childCount(), 2);
    EXPECT_EQ(tree->topLevelItem(1)->child(0)->text(0), QStringLiteral("piano"));
    // Multi-select for comparison: both selected, the current one first.
    panel.selectTag(2);
    tree->topLevelItem(1)->child(0)->setSelected(true);
    const auto tags = panel.selectedTags();
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags.front(), 2u);
}

TEST(TimelinePlot, AllRowsShareOneClampedTimeAxis) {
    TimelinePlot plot;
    plot.resize(800, 600);
    plot.setDuration(60.0);
    QSignalSpy changed(&plot, &TimelinePlot::timeRangeChanged);
    plot.rect(TimelinePlot::Spectrogram)->axis(QCPAxis::atBottom)->setRange(10.0, 20.0);
    for (auto row : {TimelinePlot::Curves, TimelinePlot::Taggram}) {
        const QCPRange r = plot.rect(row)->axis(QCPAxis::atBottom)->range();
        EXPECT_DOUBLE_EQ(r.lower, 10.0);
        EXPECT_DOUBLE_EQ(r.upper, 20.0);
    }
    EXPECT_GE(changed.count(), 1);
    plot.rect(TimelinePlot::Taggram)->axis(QCPAxis::atBottom)->setRange(55.0, 70.0); // past the end
    const QCPRange r = plot.rect(TimelinePlot::Spectrogram)->axis(QCPAxis::atBottom)->range();
    EXPECT_DOUBLE_EQ(r.upper, 60.0);
    EXPECT_DOUBLE_EQ(r.lower, 45.0);
    plot.setSelection(30.0, 12.0);
    EXPECT_EQ(plot.selection(), std::make_pair(12.0, 30.0));
}

TEST(Settings, RoundTripAndRecentFiles) {
    ViewSettings s;
    s.colourMap = QStringLiteral("viridis");
    s.relevanceOpacity = 0.25;
    s.recentFiles = pushRecentFile({QStringLiteral("/a.wav"), QStringLiteral("/b.wav")}, QStringLiteral("/b.wav"));
    EXPECT_EQ(s.recentFiles, (QStringList{QStringLiteral("/b.wav"), QStringLiteral("/a.wav")}));
    saveViewSettings(s);
    const ViewSettings back = loadViewSettings();
    EXPECT_EQ(back.colourMap, QStringLiteral("viridis"));
    EXPECT_DOUBLE_EQ(back.relevanceOpacity, 0.25);
    EXPECT_EQ(back.recentFiles, s.recentFiles);
    QStringList many;
    for (int i = 0; i < 15; ++i) many = pushRecentFile(many, QString::number(i));
    EXPECT_EQ(many.size(), 10);
    EXPECT_EQ(many.front(), QStringLiteral("14"));
}

TEST(MainWindow, ConstructsOffscreenAndPlaybackDegradesWithoutDevice) {
    MainWindow w;
    EXPECT_EQ(w.windowTitle(), QStringLiteral("Tagscope"));
    PlaybackController playback;
    if (!playback.isAvailable()) {
        EXPECT_FALSE(playback.unavailableReason().isEmpty());
        playback.play(); // no-ops, no crash
        playback.seek(3.0);
        EXPECT_EQ(playback.state(), PlaybackController::State::Stopped);
    }
}
