// SPDX-License-Identifier: GPL-3.0-or-later
// Times Tagscope's spectrogram front end on one audio file: decode + resample to 16 kHz
// (core/audio's decodeAudio, libsamplerate best-quality sinc) and the sota96 mel spectrogram
// in dB (core/dsp); and the same with the resampling done by dsp::SincResampler
// (torchaudio's filter) after a native-rate decode ("sinc" stages). Run by
// bench/run_frontend_bench.sh next to bench/frontend_torchaudio.py, which does the same work
// with torchaudio; both print "RESULT <stage> <seconds>" lines (best of the repeats).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/audio/audio_decoder.h"
#include "core/dsp/mel_spectrogram.h"
#include "core/dsp/sinc_resampler.h"

using namespace tagscope;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Timings {
    std::vector<double> runs;
    double best() const { return *std::min_element(runs.begin(), runs.end()); }
    double median() const {
        auto v = runs;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

void report(const char* stage, const Timings& t) {
    std::printf("RESULT %s %.6f\n", stage, t.best());
    std::printf("  %-22s best %8.1f ms   median %8.1f ms   (%zu runs)\n", stage, t.best() * 1e3,
                t.median() * 1e3, t.runs.size());
}

int usage() {
    std::fprintf(stderr, "usage: bench_frontend <audio file> [repeats]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::filesystem::path path = argv[1];
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    const dsp::MelConfig config{16000, 512, 256, 0.0, 8000.0, 96};

    const auto info = audio::probeAudio(path);
    if (!info) {
        std::fprintf(stderr, "bench_frontend: %s\n", info.error().message.c_str());
        return 1;
    }
    std::printf("C++ front end: %s, %.1f s, %d Hz, %d channel(s), %s -> 16000 Hz, sota96 mel dB\n",
                path.filename().c_str(), info->durationSeconds(), info->sampleRate, info->channels,
                info->format.c_str());

    auto start = Clock::now();
    auto front = dsp::MelSpectrogram::create(config);
    if (!front) {
        std::fprintf(stderr, "bench_frontend: %s\n", front.error().message.c_str());
        return 1;
    }
    std::printf("  mel setup (filterbank + FFTW plan): %.2f ms\n", secondsSince(start) * 1e3);

    auto sinc = dsp::SincResampler::create(info->sampleRate, config.sampleRate);
    if (!sinc) {
        std::fprintf(stderr, "bench_frontend: %s\n", sinc.error().message.c_str());
        return 1;
    }

    Timings decodeNative, decodeResample, mel, total, decodeSinc, totalSinc, decodeFastest, totalFastest;
    size_t checksumFrames = 0;
    for (int r = 0; r < repeats; ++r) {
        start = Clock::now();
        const auto native = audio::decodeAudio(path);
        decodeNative.runs.push_back(secondsSince(start));
        if (!native) {
            std::fprintf(stderr, "bench_frontend: %s\n", native.error().message.c_str());
            return 1;
        }

        start = Clock::now();
        const auto resampled = audio::decodeAudio(path, {.targetSampleRate = config.sampleRate});
        if (!resampled) {
            std::fprintf(stderr, "bench_frontend: %s\n", resampled.error().message.c_str());
            return 1;
        }
        decodeResample.runs.push_back(secondsSince(start));
        const auto melStart = Clock::now();
        const auto db = front->decibels(resampled->samples);
        mel.runs.push_back(secondsSince(melStart));
        total.runs.push_back(secondsSince(start));
        checksumFrames = size_t(db.nFrames);

        start = Clock::now();
        const auto decoded = audio::decodeAudio(path);
        if (!decoded) return 1;
        const auto at16k = sinc->process(decoded->samples);
        decodeSinc.runs.push_back(secondsSince(start));
        const auto dbSinc = front->decibels(at16k);
        totalSinc.runs.push_back(secondsSince(start));
        if (dbSinc.nFrames != db.nFrames) std::fprintf(stderr, "bench_frontend: frame counts differ\n");

        start = Clock::now();
        const auto fast = audio::decodeAudio(
            path, {.targetSampleRate = config.sampleRate, .quality = audio::ResampleQuality::Fastest});
        if (!fast) return 1;
        decodeFastest.runs.push_back(secondsSince(start));
        const auto dbFast = front->decibels(fast->samples);
        totalFastest.runs.push_back(secondsSince(start));
        if (dbFast.nFrames != db.nFrames) std::fprintf(stderr, "bench_frontend: frame counts differ\n");
    }
    report("decode", decodeNative);
    report("decode+resample", decodeResample);
    report("mel", mel);
    report("total", total);
    report("decode+sinc", decodeSinc);
    report("total_sinc", totalSinc);
    report("decode+fastest", decodeFastest);
    report("total_fastest", totalFastest);
    std::printf("  (%zu mel frames)\n", checksumFrames);
    return 0;
}
