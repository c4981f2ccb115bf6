// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/features/feature_extractor.h"

#include <algorithm>
#include <cmath>

#include "core/features/loudness_features.h"
#include "core/features/rhythm_features.h"
#include "core/features/spectral_features.h"
#include "core/features/tonal_features.h"

namespace tagscope::features {

namespace {

/// Everything analysed once for the whole track, from which any time window's values follow.
struct TrackAnalyses {
    std::span<const float> mono;
    int sampleRate = 0;
    RhythmAnalysis rhythm;
    SpectralFrames spectrum;
    std::vector<ChordEvent> chords;
};

void set(std::vector<double>& values, std::string_view key, double v) {
    if (auto i = featureIndex(key)) values[*i] = v;
}

/// Fills the values of window [t0, t1) that do not need the loudness meter; returns its key.
KeyEstimate fillWindow(const TrackAnalyses& a, double t0, double t1, std::vector<double>& v) {
    set(v, "tempo_bpm", tempoFromBeats(a.rhythm.beatSeconds, t0, t1));
    set(v, "beat_loudness_db", beatLoudnessDb(a.mono, a.sampleRate, a.rhythm.beatSeconds, t0, t1));
    set(v, "danceability", pulseClarity(a.rhythm.onsetEnvelope, a.rhythm.envelopeRate, t0, t1));
    set(v, "onset_rate", onsetRate(a.rhythm.onsetSeconds, t0, t1));
    const auto means = meanDescriptors(a.spectrum, t0, t1);
    for (size_t d = 0; d < kSpectralDescriptorCount; ++d) set(v, spectralDescriptorKeys()[d], means[d]);
    const KeyEstimate key = estimateKey(sumChroma(a.spectrum, t0, t1));
    set(v, "key_strength", key.valid ? key.strength : std::nan(""));
    set(v, "key_minor", key.valid ? (key.minor ? 1.0 : 0.0) : std::nan(""));
    harmonicFeatures(a.chords, t0, t1, v);
    return key;
}

} // namespace

Result<TrackFeatures> extractFeatures(std::span<const float> mono, int sampleRate, const FeatureOptions& options,
                                      const CancelToken* cancel) {
    if (sampleRate < 8000 || sampleRate > 384000)
        return fail(Error::Kind::InvalidInput, {}, "unsupported sample rate for features: " + std::to_string(sampleRate));
    TrackAnalyses a;
    a.mono = mono;
    a.sampleRate = sampleRate;
    auto rhythm = analyzeRhythm(mono, sampleRate, cancel);
    if (!rhythm) return fail(rhythm.error());
    a.rhythm = std::move(*rhythm);
    auto spectrum = analyzeSpectrum(mono, sampleRate, cancel);
    if (!spectrum) return fail(spectrum.error());
    a.spectrum = std::move(*spectrum);

    TrackFeatures t;
    t.analysisSampleRate = sampleRate;
    t.durationSeconds = double(mono.size()) / sampleRate;
    t.values = unknownValues();
    t.beatSeconds = a.rhythm.beatSeconds;
    const double end = t.durationSeconds + 1.0;  // frames centred past the last sample still count
    const KeyEstimate trackKey = estimateKey(sumChroma(a.spectrum, 0, end));
    const double hop = double(a.spectrum.hopSize) / sampleRate;
    a.chords = estimateChords(a.spectrum.chroma, a.spectrum.frameTime(0), hop, trackKey);
    t.chords = a.chords;
    t.key = fillWindow(a, 0, end, t.values).name();

    auto loud = measureLoudness(mono, sampleRate, options.dualMonoLoudness);
    if (!loud) return fail(loud.error());
    set(t.values, "loudness_lufs", loud->integratedLufs);
    set(t.values, "loudness_range_lu", loud->rangeLu);
    set(t.values, "dynamic_complexity_db", dynamicComplexityDb(mono, sampleRate));

    const double seg = options.segmentSeconds > 0.5 ? options.segmentSeconds : 5.0;
    for (double t0 = 0; t0 < t.durationSeconds; t0 += seg) {
        if (isCancelled(cancel)) return fail(Error::cancelled());
        SegmentFeatures s;
        s.startSeconds = t0;
        s.endSeconds = std::min(t.durationSeconds, t0 + seg);
        s.values = unknownValues();
        s.key = fillWindow(a, t0, s.endSeconds, s.values).name();
        const size_t b = size_t(t0 * sampleRate), e = std::min(mono.size(), size_t(s.endSeconds * sampleRate));
        const auto part = mono.subspan(b, e - b);
        auto segLoud = measureLoudness(part, sampleRate, options.dualMonoLoudness);
        if (!segLoud) return fail(segLoud.error());
        set(s.values, "loudness_lufs", segLoud->integratedLufs);
        set(s.values, "loudness_range_lu", segLoud->rangeLu);
        set(s.values, "dynamic_complexity_db", dynamicComplexityDb(part, sampleRate));
        t.segments.push_back(std::move(s));
    }
    return t;
}

} // namespace tagscope::features
