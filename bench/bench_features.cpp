// SPDX-License-Identifier: GPL-3.0-or-later
// Times the perceptual features of one audio file beside its decode: decode (native rate),
// conversion to the feature rate (22.05 kHz, when the file has another rate), each analysis
// stage (rhythm, spectrum, loudness) alone, the whole extractFeatures(), and runAnalyzers()
// with the FeatureAnalyzer (one decode + features, what `tagscope-cli features` does).
// Prints "RESULT <stage> <seconds>" lines (best of the repeats). Run by bench/run_features_bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/analysis/audio_analyzer.h"
#include "core/audio/audio_decoder.h"
#include "core/dsp/sinc_resampler.h"
#include "core/features/feature_analyzer.h"
#include "core/features/feature_extractor.h"
#include "core/features/loudness_features.h"
#include "core/features/rhythm_features.h"
#include "core/features/spectral_features.h"

using namespace tagscope;

namespace {

using Clock = std::chrono::steady_clock;

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

/// Best wall time and the CPU time of that run.
struct Timing {
    double wall = 1e300;
    double cpu = 0;
};

Timing best(int repeats, const std::function<bool()>& run) {
    Timing b;
    for (int i = 0; i < repeats; ++i) {
        const auto t = Clock::now();
        const double c = cpuSeconds();
        if (!run()) return {-1, -1};
        const double wall = std::chrono::duration<double>(Clock::now() - t).count();
        if (wall < b.wall) b = {wall, cpuSeconds() - c};
    }
    return b;
}

void report(const char* stage, Timing t, double audioSeconds) {
    std::printf("RESULT %s %.6f cpu %.6f\n", stage, t.wall, t.cpu);
    std::printf("  %-24s wall %8.1f ms  cpu %8.1f ms   %7.0fx real time (wall)\n", stage, t.wall * 1e3, t.cpu * 1e3,
                audioSeconds / t.wall);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: tagscope_bench_features <audio file> [repeats]\n");
        return 2;
    }
    const std::filesystem::path path = argv[1];
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    auto decoded = audio::decodeAudio(path);
    if (!decoded) {
        std::fprintf(stderr, "%s\n", decoded.error().message.c_str());
        return 1;
    }
    const double seconds = decoded->durationSeconds();
    std::printf("%s: %.1f s at %d Hz\n", path.filename().c_str(), seconds, decoded->sampleRate);
    const Timing decode = best(repeats, [&] { return audio::decodeAudio(path).has_value(); });
    std::vector<float> mono = decoded->samples;
    Timing convert{0, 0};
    if (decoded->sampleRate != features::kFeatureSampleRate) {
        auto sinc = dsp::SincResampler::create(decoded->sampleRate, features::kFeatureSampleRate);
        if (!sinc) return 1;
        convert = best(repeats, [&] {
            mono = sinc->process(decoded->samples);
            return true;
        });
    }
    const int rate = features::kFeatureSampleRate;
    const Timing rhythm = best(repeats, [&] { return features::analyzeRhythm(mono, rate).has_value(); });
    const Timing spectrum = best(repeats, [&] { return features::analyzeSpectrum(mono, rate).has_value(); });
    const Timing loudness = best(repeats, [&] { return features::measureLoudness(mono, rate, true).has_value(); });
    const Timing extract = best(repeats, [&] { return features::extractFeatures(mono, rate).has_value(); });
    features::FeatureAnalyzer analyzer;
    analysis::AudioAnalyzer* const list[] = {&analyzer};
    const Timing pipeline = best(repeats, [&] { return analysis::runAnalyzers(path, list).has_value(); });

    report("decode", decode, seconds);
    if (convert.wall > 0) report("convert_to_22050", convert, seconds);
    report("rhythm", rhythm, seconds);
    report("spectrum", spectrum, seconds);
    report("loudness_track", loudness, seconds);
    report("features_total", extract, seconds);
    report("decode_plus_features", pipeline, seconds);
    std::printf("features take %.2fx the decode time (wall); %.2f s wall, %.2f s CPU for %.0f s of audio; goal for a "
                "4-minute track: < 1 s (%s on this run's wall clock)\n",
                extract.wall / decode.wall, extract.wall, extract.cpu, seconds,
                seconds < 235.0 ? "not judged: this track is shorter" : extract.wall < 1.0 ? "met" : "NOT met");
    return 0;
}
