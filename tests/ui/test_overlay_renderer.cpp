// SPDX-License-Identifier: GPL-3.0-or-later
// The overlay renderer: rasterising time series, colours/alpha, and its cache.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ui/mel_scale.h"
#include "ui/overlay_renderer.h"

using namespace tagscope;
using namespace tagscope::ui;

TEST(OverlayRenderer, RasterisesSpansOntoCells) {
    analysis::TimeSeries s;
    s.startSeconds = {0.0, 1.0, 3.0};
    s.endSeconds = {1.0, 2.0, 4.0};
    s.values = {0.2f, 0.9f, 0.5f};
    const auto cells = OverlayRenderer::rasterise(s, 4.0, 8); // 0.5 s cells
    const std::vector<float> expected{0.2f, 0.2f, 0.9f, 0.9f, 0.0f, 0.0f, 0.5f, 0.5f};
    EXPECT_EQ(cells, expected);
    EXPECT_TRUE(OverlayRenderer::rasterise(s, 0.0, 8) == std::vector<float>(8, 0.0f));
}

TEST(OverlayRenderer, RelevanceAlphaFollowsMagnitudeAndSign) {
    analysis::TagExplanation e;
    analysis::GradientRelevance r;
    r.map.nMels = 2;
    r.map.nFrames = 3;
    r.map.values = {0.0f, 4.0f, -1.0f,   // mel 0 (bottom)
                    1.0f, 0.0f, 0.0f};   // mel 1 (top)
    r.frameSeconds = 0.5;
    e.relevance = r;
    OverlayRenderer renderer;
    OverlayParameters p;
    p.kind = OverlayParameters::Kind::Relevance;
    p.opacity = 1.0;
    p.colour = QColor(255, 0, 0);
    p.negativeColour = QColor(0, 0, 255);
    p.topShare = 1.0; // every non-zero cell
    p.blurFrames = 0;
    p.blurMels = 0;
    const auto& out = renderer.render({nullptr, &e, 1}, p);
    ASSERT_TRUE(out.isValid());
    ASSERT_EQ(out.image.width(), 3);
    ASSERT_EQ(out.image.height(), 2);
    EXPECT_DOUBLE_EQ(out.t0, -0.25);
    EXPECT_DOUBLE_EQ(out.t1, 1.25);
    const QImage img = out.image.convertToFormat(QImage::Format_ARGB32);
    EXPECT_EQ(qAlpha(img.pixel(1, 1)), 255);             // strongest, bottom row in the image
    EXPECT_EQ(qRed(img.pixel(1, 1)), 255);
    EXPECT_EQ(qAlpha(img.pixel(0, 1)), 0);               // zero relevance is transparent
    EXPECT_GT(qBlue(img.pixel(2, 1)), 200);              // negative uses its own colour
    EXPECT_NEAR(qAlpha(img.pixel(0, 0)), 0.35 * 255, 2); // the weakest shown cell: a third of full
}

TEST(OverlayRenderer, RelevanceShowsOnlyItsTopShare) {
    // 20 x 10 cells with distinct magnitudes 1..200 in a scrambled order.
    analysis::TagExplanation e;
    analysis::GradientRelevance r;
    r.map.nMels = 10;
    r.map.nFrames = 20;
    for (int i = 0; i < 200; ++i) r.map.values.push_back(float((i * 37) % 200 + 1));
    r.frameSeconds = 0.064;
    e.relevance = r;
    OverlayRenderer renderer;
    OverlayParameters p;
    p.kind = OverlayParameters::Kind::Relevance;
    p.opacity = 1.0;
    p.topShare = 0.1;
    p.blurFrames = 0;
    p.blurMels = 0;
    const QImage img = renderer.render({nullptr, &e, 1}, p).image.convertToFormat(QImage::Format_ARGB32);
    int shown = 0;
    int previousAlpha = -1;
    for (int value = 200; value >= 1; --value) { // strongest first
        const int i = int(std::find(r.map.values.begin(), r.map.values.end(), float(value)) - r.map.values.begin());
        const int alpha = qAlpha(img.pixel(i % 20, 9 - i / 20));
        if (value > 180) {
            EXPECT_GT(alpha, 0) << value;
            if (previousAlpha >= 0) EXPECT_LE(alpha, previousAlpha) << "alpha grows with strength";
            previousAlpha = alpha;
            ++shown;
        } else {
            EXPECT_EQ(alpha, 0) << "cell " << value << " is outside the top 10%";
        }
    }
    EXPECT_EQ(shown, 20);
    // The same with a blur: still at most the top share of cells is drawn.
    p.blurFrames = 2;
    p.blurMels = 1;
    const QImage blurred = renderer.render({nullptr, &e, 2}, p).image.convertToFormat(QImage::Format_ARGB32);
    int drawn = 0;
    for (int y = 0; y < blurred.height(); ++y)
        for (int x = 0; x < blurred.width(); ++x) drawn += qAlpha(blurred.pixel(x, y)) > 0;
    EXPECT_GT(drawn, 0);
    EXPECT_LE(drawn, 24); // ties after the blur may add a few
    EXPECT_EQ(OverlayRenderer::shareThreshold({}, 0.1).first, INFINITY);
    EXPECT_EQ(OverlayRenderer::shareAlpha(0.0f, 0.0f, 1.0f), 0.0);
}

TEST(OverlayRenderer, CachesUntilParametersOrGenerationChange) {
    analysis::TrackAnalysis a;
    a.durationSeconds = 2.0;
    analysis::AttentionExplanation att;
    att.layers = 1;
    att.heads = 1;
    att.rollout.startSeconds = {0.0, 1.0};
    att.rollout.endSeconds = {1.0, 2.0};
    att.rollout.values = {0.25f, 1.0f};
    a.attention = att;
    OverlayRenderer renderer;
    OverlayParameters p;
    const qint64 first = renderer.render({&a, nullptr, 7}, p).image.cacheKey();
    EXPECT_EQ(renderer.render({&a, nullptr, 7}, p).image.cacheKey(), first);
    const auto& regenerated = renderer.render({&a, nullptr, 8}, p);
    EXPECT_NE(regenerated.image.cacheKey(), first);
    p.opacity = 0.3;
    const QImage img = renderer.render({&a, nullptr, 8}, p).image.convertToFormat(QImage::Format_ARGB32);
    EXPECT_EQ(img.width(), 40);
    EXPECT_NEAR(qAlpha(img.pixel(30, 0)), 0.3 * 255, 1.5);
    EXPECT_EQ(qAlpha(img.pixel(5, 0)), 0); // min-max scaled: the least attended span is clear
    p.source = AttentionSource::HeadMean; // the analysis has no per-layer rows
    EXPECT_FALSE(renderer.render({&a, nullptr, 8}, p).isValid());

    // Three levels: the middle one is drawn at its min-max fraction; flat attention draws nothing.
    // (Spans wider than the +-0.25 s smoothing, so their middles keep their own level.)
    a.attention->rollout.startSeconds = {0.0, 0.5, 1.5};
    a.attention->rollout.endSeconds = {0.5, 1.5, 2.0};
    a.attention->rollout.values = {0.2f, 0.4f, 0.6f};
    p.source = AttentionSource::Rollout;
    const QImage three = renderer.render({&a, nullptr, 9}, p).image.convertToFormat(QImage::Format_ARGB32);
    EXPECT_NEAR(qAlpha(three.pixel(20, 0)), 0.3 * 0.5 * 255, 1.5);
    // One short token that stands out is smoothed into a soft patch, not a one-column line.
    a.attention->rollout.startSeconds = {0.0, 1.0, 1.05};
    a.attention->rollout.endSeconds = {1.0, 1.05, 2.0};
    a.attention->rollout.values = {0.1f, 0.9f, 0.1f};
    const QImage spike = renderer.render({&a, nullptr, 11}, p).image.convertToFormat(QImage::Format_ARGB32);
    EXPECT_GT(qAlpha(spike.pixel(17, 0)), 0);
    EXPECT_GT(qAlpha(spike.pixel(23, 0)), 0);
    EXPECT_NEAR(qAlpha(spike.pixel(20, 0)), 0.3 * 255, 1.5);
    a.attention->rollout.values = {0.3f, 0.3f, 0.3f};
    const QImage flat = renderer.render({&a, nullptr, 10}, p).image.convertToFormat(QImage::Format_ARGB32);
    EXPECT_EQ(qAlpha(flat.pixel(5, 0)), 0);
    EXPECT_EQ(qAlpha(flat.pixel(30, 0)), 0);
}

TEST(OverlayRenderer, NothingToShowWithoutExplanation) {
    OverlayRenderer renderer;
    OverlayParameters p;
    p.kind = OverlayParameters::Kind::Relevance;
    analysis::TagExplanation e; // no relevance map
    EXPECT_FALSE(renderer.render({nullptr, &e, 1}, p).isValid());
    EXPECT_FALSE(renderer.render({nullptr, nullptr, 2}, p).isValid());
}

TEST(MelScale, RowsAndFrequenciesAreInverse) {
    dsp::MelConfig config; // 16 kHz, 96 mels, 0..8000 Hz
    MelScale scale(config);
    for (double hz : {100.0, 440.0, 1000.0, 4000.0, 7000.0}) EXPECT_NEAR(scale.rowToHz(scale.hzToRow(hz)), hz, 1e-6);
    // HTK: 1000 Hz is 1000 mel; fMax is the (nMels+1)-th point, i.e. row nMels.
    EXPECT_NEAR(MelScale::hzToMel(1000.0), 1000.0, 0.1);
    EXPECT_NEAR(scale.hzToRow(8000.0), 96.0, 1e-9);
    EXPECT_NEAR(scale.hzToRow(0.0), -1.0, 1e-9);
    const auto labels = scale.labelFrequencies();
    EXPECT_EQ(labels.front(), 100.0);
    EXPECT_EQ(labels.back(), 4000.0); // 8 kHz is the filterbank's upper edge, not a row centre
    EXPECT_EQ(MelScale::formatHz(250.0), "250 Hz");
    EXPECT_EQ(MelScale::formatHz(2000.0), "2k");
}
