// SPDX-License-Identifier: GPL-3.0-or-later
// `tagscope-cli explain --png` draws the labelled figure of the window's renderer.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/audio/audio_decoder.h"
#include "tests/app/cli_runner.h"
#include "tests/support/test_paths.h"

#ifdef TAGSCOPE_HAVE_FIGURE
#include <QImage>

#include "ui/explanation_figure.h"
#endif

namespace tagscope {
namespace {

namespace fs = std::filesystem;

/// The first `seconds` of a shared clip as a 16-bit mono WAV at `path`.
bool writeClip(const fs::path& path, double seconds) {
    audio::DecodeOptions options;
    options.maxSeconds = seconds;
    auto decoded = audio::decodeAudio(test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg"), options);
    if (!decoded) return false;
    std::ofstream out(path, std::ios::binary);
    auto put = [&](uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.put(char((v >> (8 * i)) & 0xff));
    };
    const uint32_t dataBytes = uint32_t(decoded->samples.size() * 2);
    out.write("RIFF", 4);
    put(36 + dataBytes, 4);
    out.write("WAVEfmt ", 8);
    put(16, 4);
    put(1, 2);
    put(1, 2);
    put(uint32_t(decoded->sampleRate), 4);
    put(uint32_t(decoded->sampleRate * 2), 4);
    put(2, 2);
    put(16, 2);
    out.write("data", 4);
    put(dataBytes, 4);
    for (float x : decoded->samples) put(uint32_t(uint16_t(int16_t(std::lround(std::clamp(x, -1.0f, 1.0f) * 32767)))), 2);
    return bool(out);
}

#ifdef TAGSCOPE_HAVE_FIGURE
int countPixels(const QImage& image, const QRect& rect, auto predicate) {
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x) n += predicate(QColor(image.pixel(x, y))) ? 1 : 0;
    return n;
}
#endif

TEST(CliExplainFigure, PngIsTheLabelledFigureOfTheWindowRenderer) {
#ifndef TAGSCOPE_HAVE_FIGURE
    GTEST_SKIP() << "built without Qt: explain --png is unavailable";
#else
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    const auto home = test::scratchDir("cli_explain_figure");
    const auto clip = home / "clip.wav";
    ASSERT_TRUE(writeClip(clip, 12.0));
    const auto png = home / "figure.png";
    const auto r = test::runCli(home, {"--threads", "1", "explain", clip.string(), "--no-faithfulness", "--png", png.string()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    QImage image(QString::fromStdString(png.string()));
    ASSERT_FALSE(image.isNull()) << "not a readable PNG";

    // The layout of the same renderer for the same shape of content: the bundled student
    // (96 mel bands, attention), one explained tag (the top one).
    analysis::TrackAnalysis shape;
    shape.mel.nMels = 96;
    shape.mel.nFrames = 10;
    shape.mel.values.assign(960, 0.0f);
    shape.durationSeconds = 12.0;
    shape.attention.emplace();
    shape.attention->rollout.startSeconds = {0.0};
    shape.attention->rollout.endSeconds = {12.0};
    shape.attention->rollout.values = {1.0f};
    analysis::TagExplanation e;
    ui::FigureInput input;
    input.analysis = &shape;
    input.explanations = {&e};
    const ui::FigureLayout layout = ui::ExplanationFigure(input, ui::FigureStyle{}).layout();
    ASSERT_EQ(image.size(), ui::ExplanationFigure(input, ui::FigureStyle{}).size());

    auto dark = [](const QColor& c) { return c.lightness() < 100; };
    auto notWhite = [](const QColor& c) { return c.lightness() < 245; };
    auto cyan = [](const QColor& c) { return c.blue() > 150 && c.green() > 150 && c.red() < 140; };
    // A title (file, tag), Hz labels, a filled spectrogram with cyan relevance on part of it,
    // the time axis with m:ss labels, colour bars and a legend.
    EXPECT_GT(countPixels(image, layout.title, dark), 200) << "title text";
    EXPECT_GT(countPixels(image, layout.frequencyAxis, dark), 50) << "Hz labels";
    const int melArea = layout.spectrogram.width() * layout.spectrogram.height();
    EXPECT_GT(countPixels(image, layout.spectrogram, notWhite), melArea * 9 / 10);
    const int relevance = countPixels(image, layout.spectrogram, cyan);
    EXPECT_GT(relevance, 0) << "relevance overlay";
    EXPECT_LT(relevance, melArea / 3) << "only the top share is drawn";
    EXPECT_GT(countPixels(image, layout.attention, notWhite), layout.attention.width() / 2);
    EXPECT_GT(countPixels(image, layout.curves.front(), notWhite), 500) << "evidence curve";
    EXPECT_GT(countPixels(image, layout.timeAxis, dark), 200) << "time axis and labels";
    EXPECT_GT(countPixels(image, layout.colourBars, notWhite), 500) << "colour bars";
    EXPECT_GT(countPixels(image, layout.legend, cyan), 50) << "legend swatch";
#endif
}

} // namespace
} // namespace tagscope
