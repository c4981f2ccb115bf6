// SPDX-License-Identifier: GPL-3.0-or-later
// The explanation figure: layout, time axis, and what is drawn where on a synthetic analysis.
#include <gtest/gtest.h>

#include <QImage>

#include "ui/explanation_figure.h"

using namespace tagscope;
using namespace tagscope::ui;

namespace {

/// 20 s, 96 mels x 200 frames of a ramp in dB; relevance only in frames 100..119, mels 40..59.
struct Synthetic {
    analysis::TrackAnalysis analysis;
    analysis::TagExplanation explanation;

    Synthetic() {
        auto& a = analysis;
        a.tagNames = {"genre---electronic", "piano"};
        a.vocabularyOfTag = {"jamendo_top50", "mtat_top50"};
        a.durationSeconds = 20.0;
        a.melFrameSeconds = 0.1;
        a.mel.nMels = 96;
        a.mel.nFrames = 200;
        for (int m = 0; m < 96; ++m)
            for (int t = 0; t < 200; ++t) a.mel.values.push_back(-80.0f + 0.8f * m);
        a.taggram.tagCount = 2;
        a.taggram.chunkStartSeconds = {0.0, 10.0};
        a.taggram.chunkEndSeconds = {10.0, 20.0};
        a.taggram.values = {0.2f, 0.1f, 0.9f, 0.1f};
        a.trackScores = {0.55f, 0.1f};
        auto& e = explanation;
        e.tag = 0;
        e.tagName = "genre---electronic";
        e.trackScore = 0.55f;
        analysis::GradientRelevance r;
        r.map.nMels = 96;
        r.map.nFrames = 200;
        r.map.values.assign(96 * 200, 0.0f);
        for (int m = 40; m < 60; ++m)
            for (int t = 100; t < 120; ++t) r.map.at(m, t) = 1.0f;
        r.frameSeconds = 0.1;
        for (int t = 0; t < 200; ++t) {
            r.perFrame.startSeconds.push_back(t * 0.1);
            r.perFrame.endSeconds.push_back((t + 1) * 0.1);
            r.perFrame.values.push_back(t >= 100 && t < 120 ? 20.0f : 0.0f);
        }
        e.relevance = r;
        e.evidenceSegments = {{10.0, 12.0}};
    }
};

bool isCyan(QRgb p) { return qBlue(p) > 150 && qGreen(p) > 150 && qRed(p) < 140; }

} // namespace

TEST(ExplanationFigure, LaysOutLabelledPanelsInsideTheImage) {
    Synthetic s;
    FigureInput input{&s.analysis, {&s.explanation}, "track.ogg", "Student", dsp::MelConfig{}};
    const ExplanationFigure figure(input, FigureStyle{});
    const auto& l = figure.layout();
    const QRect all(QPoint(0, 0), figure.size());
    EXPECT_EQ(figure.size().width(), 1600);
    for (const QRect& r : {l.title, l.spectrogram, l.frequencyAxis, l.timeAxis, l.colourBars, l.legend})
        EXPECT_TRUE(all.contains(r)) << r.x() << "," << r.y() << " " << r.width() << "x" << r.height();
    EXPECT_TRUE(l.attention.isEmpty()); // no attention in this analysis
    ASSERT_EQ(l.curves.size(), 1u);
    EXPECT_LT(l.title.bottom(), l.spectrogram.top());
    EXPECT_LT(l.spectrogram.bottom(), l.probability[0].top());
    EXPECT_LT(l.curves[0].bottom(), l.timeAxis.top());
    EXPECT_LT(l.timeAxis.bottom(), l.legend.top() + 1);
    EXPECT_FALSE(l.colourBars.intersects(l.spectrogram));
    EXPECT_FALSE(l.frequencyAxis.intersects(l.spectrogram));
}

TEST(ExplanationFigure, DrawsRelevanceOnlyWhereItIsAndLabelsTheAxes) {
    Synthetic s;
    FigureInput input{&s.analysis, {&s.explanation}, "track.ogg", "Student", dsp::MelConfig{}};
    FigureStyle style;
    style.relevanceParameters.blurFrames = 0;
    style.relevanceParameters.blurMels = 0;
    const ExplanationFigure figure(input, style);
    const QImage image = figure.toImage();
    ASSERT_EQ(image.size(), figure.size());
    const QRect mel = figure.layout().spectrogram;
    // Relevance covers seconds 10..12 and mel rows 40..59: cyan there, none far from it.
    const int x = mel.left() + int(11.0 / 20.0 * mel.width());
    const int y = mel.bottom() - int(50.0 / 96.0 * mel.height());
    EXPECT_TRUE(isCyan(image.pixel(x, y))) << std::hex << image.pixel(x, y);
    EXPECT_FALSE(isCyan(image.pixel(mel.left() + mel.width() / 10, y)));
    EXPECT_FALSE(isCyan(image.pixel(x, mel.top() + 3)));
    // Labels: dark text pixels in the title, Hz axis and time axis.
    auto darkIn = [&](const QRect& r) {
        int n = 0;
        for (int yy = r.top(); yy <= r.bottom(); ++yy)
            for (int xx = r.left(); xx <= r.right(); ++xx) n += qGray(image.pixel(xx, yy)) < 100;
        return n;
    };
    EXPECT_GT(darkIn(figure.layout().title), 200);
    EXPECT_GT(darkIn(figure.layout().frequencyAxis), 50);
    EXPECT_GT(darkIn(figure.layout().timeAxis), 200);
    // The evidence curve peaks over the relevant seconds.
    const QRect curve = figure.layout().curves[0];
    auto filledHeight = [&](double seconds) {
        const int cx = curve.left() + int(seconds / 20.0 * curve.width());
        int n = 0;
        for (int yy = curve.top() + 18; yy < curve.bottom() - 5; ++yy) n += qGray(image.pixel(cx, yy)) < 235;
        return n;
    };
    EXPECT_GT(filledHeight(11.0), 20);
    EXPECT_EQ(filledHeight(3.0), 0);
}

TEST(ExplanationFigure, TimeTicksAndLabels) {
    EXPECT_DOUBLE_EQ(ExplanationFigure::tickStep(20.0, 10), 2.0);
    EXPECT_DOUBLE_EQ(ExplanationFigure::tickStep(266.0, 15), 30.0);
    EXPECT_DOUBLE_EQ(ExplanationFigure::tickStep(600.0, 12), 60.0);
    EXPECT_EQ(ExplanationFigure::formatTime(75.0), QStringLiteral("1:15"));
    EXPECT_EQ(ExplanationFigure::formatTime(5.3, true), QStringLiteral("0:05.3"));
    EXPECT_EQ(ExplanationFigure::formatTime(-3.0), QStringLiteral("0:00"));
}

TEST(ExplanationFigure, EmptyInputStillDrawsATitle) {
    FigureInput input;
    input.fileName = "nothing.ogg";
    const ExplanationFigure figure(input, FigureStyle{});
    EXPECT_FALSE(figure.toImage().isNull());
    EXPECT_GT(figure.size().height(), 0);
}
