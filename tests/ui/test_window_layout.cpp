// SPDX-License-Identifier: GPL-3.0-or-later
// The window fits a 1366x768 laptop screen: the tag panel's probability column, the time axis
// and the trust chart are inside the visible area, and the taggram rows stay legible.
#include <gtest/gtest.h>

#include <QFontMetrics>

#include <QHeaderView>
#include <QTest>
#include <QTreeWidget>

#include "ui/main_window.h"
#include "ui/tag_panel.h"
#include "ui/timeline_plot.h"
#include "ui/track_views.h"
#include "ui/trust_chart.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

QRect inWindow(const QWidget* widget, const QWidget* window) {
    return QRect(widget->mapTo(window, QPoint(0, 0)), widget->size());
}

analysis::TrackAnalysis longNames() {
    analysis::TrackAnalysis a;
    a.tagNames = {"genre---electronicpop", "instrument---acousticguitar", "mood/theme---background", "piano"};
    a.vocabularyOfTag = {"jamendo_top50", "jamendo_top50", "jamendo_top50", "mtat_top50"};
    a.trackScores = {0.8f, 0.6f, 0.4f, 0.2f};
    return a;
}

} // namespace

TEST(WindowLayout, FitsA1366x768LaptopScreen) {
    MainWindow window;
    window.resize(1366, 768);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    QCoreApplication::processEvents();
    EXPECT_LE(window.minimumSizeHint().width(), 1366);
    EXPECT_LE(window.minimumSizeHint().height(), 768);
    ASSERT_EQ(window.size(), QSize(1366, 768)) << "the window cannot shrink to the laptop's screen";
    const QRect visible = window.rect();

    // Tag panel: the probability column is inside the list's viewport, which is inside the window.
    window.tagPanel()->setAnalysis(longNames());
    QCoreApplication::processEvents();
    auto* tree = window.tagPanel()->findChild<QTreeWidget*>();
    ASSERT_NE(tree, nullptr);
    EXPECT_TRUE(visible.contains(inWindow(tree->viewport(), &window)));
    const int probabilityLeft = tree->header()->sectionViewportPosition(1);
    const int probabilityRight = probabilityLeft + tree->header()->sectionSize(1);
    EXPECT_GE(tree->header()->sectionSize(1), 60) << "room for the probability bars";
    EXPECT_GE(probabilityLeft, 0);
    EXPECT_LE(probabilityRight, tree->viewport()->width()) << "probability column cut off";

    // Timeline: the plot is inside the window and its time axis (ticks and labels) inside the plot.
    TimelinePlot* plot = window.views()->plot();
    plot->replot();
    EXPECT_TRUE(visible.contains(inWindow(plot, &window)));
    QCPAxisRect* taggram = plot->rect(TimelinePlot::Taggram);
    EXPECT_LE(taggram->outerRect().bottom(), plot->height()) << "time axis cut off";
    EXPECT_GT(taggram->margins().bottom(), 10) << "no room left for the time labels";
    const int labelHeight = QFontMetrics(taggram->axis(QCPAxis::atLeft)->tickLabelFont()).height();
    const int rows = TrackViews::taggramRowsFor(window.views()->height(), labelHeight);
    EXPECT_GE(taggram->rect().height() / rows, labelHeight - 1)
        << rows << " taggram rows in " << taggram->rect().height() << " px: labels overlap";

    // Trust panel: the chart and its sentence are inside the window.
    TrustCurve curve;
    curve.fractions = {0.0, 0.05, 0.1, 0.2, 0.4};
    curve.model = {0.8f, 0.5f, 0.3f, 0.2f, 0.1f};
    curve.randomMean = {0.8f, 0.75f, 0.7f, 0.6f, 0.5f};
    curve.randomLow = {0.8f, 0.7f, 0.6f, 0.5f, 0.4f};
    curve.randomHigh = {0.8f, 0.8f, 0.78f, 0.7f, 0.6f};
    curve.title = QStringLiteral("Trust — electronicpop (Jamendo genre), by occlusion (faithful)");
    curve.sentence = QStringLiteral("Occlusion of 'electronicpop (Jamendo genre)': hiding its top 10% of the track moves "
                                    "the score from 0.80 to 0.30 (random choices: 0.70); it beats 95% of 20 random "
                                    "orderings — it points at audio the model relies on.");
    window.trustPanel()->setCurve(curve);
    QCoreApplication::processEvents();
    DeletionChart* chart = window.trustPanel()->chart();
    EXPECT_TRUE(chart->isVisible());
    EXPECT_GE(chart->height(), 60);
    EXPECT_TRUE(visible.contains(inWindow(chart, &window)));
    EXPECT_TRUE(visible.contains(inWindow(window.trustPanel(), &window)));
}

TEST(WindowLayout, TaggramRowsFollowTheHeight) {
    EXPECT_EQ(TrackViews::taggramRowsFor(1000), 12);
    EXPECT_LT(TrackViews::taggramRowsFor(450), 12);
    EXPECT_EQ(TrackViews::taggramRowsFor(50), 3);
}

TEST(WindowLayout, FirstSizeUsesLargeScreensAndNeverExceedsSmallOnes) {
    using tagscope::ui::defaultWindowSize;
    // A laptop: all of its free area, never more.
    EXPECT_EQ(defaultWindowSize(QSize(1366, 740)), QSize(1366, 740));
    EXPECT_EQ(defaultWindowSize(QSize(1280, 1000)), QSize(1280, 920));
    // A 1920x1080 desktop (1920x1050 free): 90 % of it, not the 1500x920 of a mid-size screen.
    EXPECT_EQ(defaultWindowSize(QSize(1920, 1050)), QSize(1728, 945));
    // In between: the preferred size.
    EXPECT_EQ(defaultWindowSize(QSize(1600, 1000)), QSize(1500, 920));
    EXPECT_EQ(defaultWindowSize(QSize()), QSize(1500, 920));
}
