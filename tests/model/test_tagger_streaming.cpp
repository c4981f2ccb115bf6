// SPDX-License-Identifier: GPL-3.0-or-later
// The streaming tagger (TaggerAnalyzer with trackMel off: chunk batches run as decoded blocks
// fill them) gives exactly the analysis of Analyzer::analyzeFile on the whole track, through
// runAnalyzers and through the streaming decode-ahead queue of scan/tag, while holding only a
// few chunks of samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/analysis/audio_hash_analyzer.h"
#include "core/analysis/track_prefetcher.h"
#include "core/cards/model_card.h"
#include "core/model/analyzer.h"
#include "core/model/tagger_analyzer.h"
#include "tests/core/test_audio_files.h"
#include "tests/support/test_paths.h"

using namespace tagscope;

namespace {

std::shared_ptr<model::Tagger> bundled() {
    auto card = cards::loadModelCard(test::sourceDir() / "models" / "tagscope_mtt_student.json");
    if (!card) return nullptr;
    auto tagger = model::Tagger::load(*card, {"cpu", 1});
    return tagger ? std::shared_ptr<model::Tagger>(std::move(*tagger)) : nullptr;
}

/// Same chunks, same batches: identical numbers, not just close ones.
void expectIdentical(const analysis::TrackAnalysis& a, const analysis::TrackAnalysis& b) {
    EXPECT_EQ(a.modelId, b.modelId);
    EXPECT_DOUBLE_EQ(a.durationSeconds, b.durationSeconds);
    EXPECT_DOUBLE_EQ(a.hopSeconds, b.hopSeconds);
    EXPECT_EQ(a.taggram.chunkStartSeconds, b.taggram.chunkStartSeconds);
    EXPECT_EQ(a.taggram.chunkEndSeconds, b.taggram.chunkEndSeconds);
    EXPECT_EQ(a.taggram.values, b.taggram.values);
    EXPECT_EQ(a.trackScores, b.trackScores);
    ASSERT_EQ(a.hierarchy.size(), b.hierarchy.size());
    for (size_t i = 0; i < a.hierarchy.size(); ++i) EXPECT_EQ(a.hierarchy[i].group, b.hierarchy[i].group);
    EXPECT_EQ(a.attention.has_value(), b.attention.has_value());
}

/// A long synthetic track (a melody over noise) at 16 kHz: cheap to decode, many chunks.
std::filesystem::path longTrack(const std::string& dir, double seconds) {
    const auto path = test::scratchDir(dir) / "long.wav";
    const int rate = 16000;
    std::vector<float> x(size_t(seconds * rate));
    uint32_t noise = 1;
    for (size_t i = 0; i < x.size(); ++i) {
        noise = noise * 1664525u + 1013904223u;
        const double t = double(i) / rate;
        const double f = 220.0 * std::pow(2.0, double(int(t * 2.0) % 12) / 12.0);
        x[i] = float(0.3 * std::sin(2.0 * std::numbers::pi * f * t) + 0.05 * (double(noise >> 8) / double(1 << 24) - 0.5));
    }
    EXPECT_TRUE(test::writeSound(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, rate, 1, x));
    return path;
}

} // namespace

TEST(TaggerStreaming, ChunkBatchesAsBlocksArriveEqualTheWholeTrackAnalysis) {
    TAGSCOPE_REQUIRE_SHARED("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    const auto clip = test::sharedPath("audio/Kevin_MacLeod_-_Vibe_Ace.ogg");
    auto tagger = bundled();
    ASSERT_TRUE(tagger);
    model::Analyzer analyzer(tagger);
    struct Case {
        double hop;
        bool padLast;
        bool attention;
    };
    // Default grid (end-aligned last chunk), overlapping hops, dropped remainder, attention on.
    for (const Case c : {Case{0.0, true, false}, Case{2.0, true, false}, Case{0.0, false, false}, Case{0.0, true, true}}) {
        model::AnalysisOptions options;
        options.trackMel = false;
        options.hopSeconds = c.hop;
        options.padLastChunk = c.padLast;
        options.attention = c.attention;
        auto whole = analyzer.analyzeFile(clip, options);
        ASSERT_TRUE(whole) << whole.error().message;
        model::TaggerAnalyzer streaming(analyzer, options);
        ASSERT_TRUE(streaming.streaming());
        analysis::AudioAnalyzer* all[] = {&streaming};
        analysis::AnalyzerRunOptions run;
        run.blockFrames = 5000; // blocks much smaller than a chunk
        auto ok = analysis::runAnalyzers(clip, all, run);
        ASSERT_TRUE(ok) << ok.error().message;
        ASSERT_TRUE(streaming.result());
        SCOPED_TRACE("hop " + std::to_string(c.hop) + " padLast " + std::to_string(c.padLast));
        expectIdentical(*whole, *streaming.result());
        EXPECT_TRUE(streaming.audio().samples.empty()); // nothing of the track was kept
    }
}

TEST(TaggerStreaming, HoldsAFewChunksNotTheTrackAndShortTracksStillWork) {
    auto tagger = bundled();
    ASSERT_TRUE(tagger);
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.trackMel = false;
    options.attention = false;
    // Long against the model's chunks (taggram and track chunks): the stream must not hold it whole.
    const auto& card = tagger->card();
    const double trackChunkSeconds = card.hasTrackChunks() ? double(card.trackChunkSamples) / card.sampleRate : 0.0;
    const double seconds = std::max({150.0, 12.0 * card.chunkSeconds(), 6.0 * trackChunkSeconds});
    const auto path = longTrack("tagger_streaming_long", seconds);
    auto whole = analyzer.analyzeFile(path, options);
    ASSERT_TRUE(whole) << whole.error().message;
    model::TaggerAnalyzer streaming(analyzer, options);
    analysis::AudioAnalyzer* all[] = {&streaming};
    ASSERT_TRUE(analysis::runAnalyzers(path, all));
    ASSERT_TRUE(streaming.result());
    expectIdentical(*whole, *streaming.result());
    const size_t chunk = size_t(tagger->card().chunkSamples);
    const size_t track = size_t(seconds * 16000);
    // At most a batch of chunks plus one block (65536) and the chunk being filled, and with track
    // chunks the one being filled and the one before (the end-aligned last one reads into it).
    const size_t trackChunks = card.hasTrackChunks() ? 2 * size_t(card.trackChunkSamples) : 0;
    EXPECT_LE(streaming.peakHeldSamples(), size_t(options.batchSize + 2) * chunk + trackChunks + 65536);
    EXPECT_LT(streaming.peakHeldSamples(), track / 2);

    // Shorter than one chunk: one padded chunk, as the whole-track path.
    const auto shortPath = test::scratchDir("tagger_streaming_short") / "short.wav";
    ASSERT_TRUE(test::writeSound(shortPath, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 22050, 2, test::sineFrames(22050, 2, 22050, 440.0)));
    auto shortWhole = analyzer.analyzeFile(shortPath, options);
    ASSERT_TRUE(shortWhole);
    ASSERT_TRUE(analysis::runAnalyzers(shortPath, all));
    expectIdentical(*shortWhole, *streaming.result());
    EXPECT_EQ(streaming.result()->taggram.chunkCount(), 1u);
}

TEST(TaggerStreaming, TheStreamingQueueOfScanAndTagGivesTheSameAnalyses) {
    auto tagger = bundled();
    ASSERT_TRUE(tagger);
    model::Analyzer analyzer(tagger);
    model::AnalysisOptions options;
    options.trackMel = false;
    options.attention = false;
    const auto good = longTrack("tagger_streaming_queue", 40.0);
    const auto bad = test::scratchDir("tagger_streaming_bad") / "bad.wav";
    test::writeBytes(bad, "not audio at all");
    analysis::PrefetchOptions prefetch;
    prefetch.sampleRate = tagger->card().sampleRate;
    prefetch.stream = true;
    prefetch.queueSamples = 20000; // far less than a track: the decode waits for the model
    analysis::TrackPrefetcher queue({good, bad, good}, prefetch, nullptr);
    model::TaggerAnalyzer consumer(analyzer, options);
    auto whole = analyzer.analyzeFile(good, options);
    ASSERT_TRUE(whole);
    analysis::AudioHashAnalyzer hash;
    analysis::AudioAnalyzer* hashOnly[] = {&hash};
    ASSERT_TRUE(analysis::runAnalyzers(good, hashOnly));
    for (size_t i = 0; i < 3; ++i) {
        auto t = queue.nextInto(consumer);
        ASSERT_TRUE(t);
        EXPECT_EQ(t->index, i);
        if (i == 1) {
            ASSERT_FALSE(t->audio);
            EXPECT_NE(t->audio.error().message.find("bad.wav"), std::string::npos) << t->audio.error().message;
            continue;
        }
        ASSERT_TRUE(t->audio) << t->audio.error().message;
        EXPECT_EQ(t->audioHash, hash.hash());
        auto result = consumer.takeResult();
        ASSERT_TRUE(result);
        expectIdentical(*whole, *result);
    }
    EXPECT_FALSE(queue.nextInto(consumer));
}
