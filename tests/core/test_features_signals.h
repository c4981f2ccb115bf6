// SPDX-License-Identifier: GPL-3.0-or-later
// Signals with known answers for the feature tests: sines at a level, noise, click tracks,
// drum-like loops, additive-synthesis chord progressions.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace tagscope::test {

inline constexpr int kFeatureRate = 22050;

/// Appends `seconds` of a sine of `hz` with peak level `dbfs` to `out`.
inline void appendSine(std::vector<float>& out, double hz, double dbfs, double seconds, int rate = kFeatureRate) {
    const double a = std::pow(10.0, dbfs / 20.0);
    const size_t n = size_t(std::lround(seconds * rate)), start = out.size();
    for (size_t i = 0; i < n; ++i)
        out.push_back(float(a * std::sin(2.0 * std::numbers::pi * hz * double(start + i) / rate)));
}

inline std::vector<float> sine(double hz, double dbfs, double seconds, int rate = kFeatureRate) {
    std::vector<float> s;
    appendSine(s, hz, dbfs, seconds, rate);
    return s;
}

/// Uniform white noise, peak `amplitude`.
inline std::vector<float> whiteNoise(double seconds, double amplitude = 0.5, uint32_t seed = 7, int rate = kFeatureRate) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-float(amplitude), float(amplitude));
    std::vector<float> s(size_t(seconds * rate));
    for (auto& v : s) v = u(rng);
    return s;
}

/// Adds `src` into `dst` at sample `at` (clipped to dst's length).
inline void mixAt(std::vector<float>& dst, const std::vector<float>& src, size_t at, float gain = 1.0f) {
    for (size_t i = 0; i < src.size() && at + i < dst.size(); ++i) dst[at + i] += gain * src[i];
}

/// A 20 ms click: decaying 2 kHz burst with a little noise.
inline std::vector<float> click(int rate = kFeatureRate) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-0.2f, 0.2f);
    std::vector<float> c(size_t(0.02 * rate));
    for (size_t i = 0; i < c.size(); ++i) {
        const double t = double(i) / rate;
        c[i] = float(std::exp(-t / 0.004) * (0.7 * std::sin(2 * std::numbers::pi * 2000 * t) + u(rng)));
    }
    return c;
}

/// A metronome: one click per beat at `bpm`, first at 0.1 s.
inline std::vector<float> clickTrack(double bpm, double seconds, int rate = kFeatureRate) {
    std::vector<float> s(size_t(seconds * rate), 0.0f);
    const auto c = click(rate);
    for (double t = 0.1; t < seconds; t += 60.0 / bpm) mixAt(s, c, size_t(t * rate));
    return s;
}

/// A drum-like loop: kick (pitch-swept sine) on beats 1 and 3, snare (noise + 180 Hz) on 2 and
/// 4, closed hi-hat (quiet high noise) on every eighth note.
inline std::vector<float> drumLoop(double bpm, double seconds, int rate = kFeatureRate) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> kick(size_t(0.25 * rate)), snare(size_t(0.18 * rate)), hat(size_t(0.04 * rate));
    double phase = 0;
    for (size_t i = 0; i < kick.size(); ++i) {
        const double t = double(i) / rate;
        phase += 2 * std::numbers::pi * (50 + 100 * std::exp(-t / 0.03)) / rate;
        kick[i] = float(0.9 * std::exp(-t / 0.08) * std::sin(phase));
    }
    for (size_t i = 0; i < snare.size(); ++i) {
        const double t = double(i) / rate;
        snare[i] = float(std::exp(-t / 0.05) * (0.4 * u(rng) + 0.3 * std::sin(2 * std::numbers::pi * 180 * t)));
    }
    float prev = 0;
    for (size_t i = 0; i < hat.size(); ++i) {
        const double t = double(i) / rate;
        const float n = u(rng);
        hat[i] = float(0.15 * std::exp(-t / 0.01)) * (n - prev);  // first difference: bright noise
        prev = n;
    }
    std::vector<float> s(size_t(seconds * rate), 0.0f);
    const double beat = 60.0 / bpm;
    int b = 0;
    for (double t = 0.1; t < seconds; t += beat, ++b) {
        mixAt(s, (b % 2 == 0) ? kick : snare, size_t(t * rate));
        mixAt(s, hat, size_t(t * rate));
        mixAt(s, hat, size_t((t + beat / 2) * rate));
    }
    return s;
}

/// Appends a chord (MIDI notes) of additive tones (6 harmonics, amplitude 1/h) for `seconds`,
/// with 10 ms fades so chord changes do not click.
inline void appendChord(std::vector<float>& out, const std::vector<int>& midi, double seconds, int rate = kFeatureRate) {
    const size_t n = size_t(seconds * rate), fade = size_t(0.01 * rate), start = out.size();
    out.resize(start + n, 0.0f);
    for (int m : midi) {
        const double f0 = 440.0 * std::pow(2.0, (m - 69) / 12.0);
        for (int h = 1; h <= 6; ++h) {
            if (f0 * h > rate / 2.0 - 500) break;
            for (size_t i = 0; i < n; ++i) {
                const double env = std::min({1.0, double(i) / fade, double(n - i) / fade});
                out[start + i] += float(0.12 / h * env * std::sin(2 * std::numbers::pi * f0 * h * double(i) / rate));
            }
        }
    }
}

/// A triad on `rootMidi` (major or minor, root position).
inline std::vector<int> triad(int rootMidi, bool minor) { return {rootMidi, rootMidi + (minor ? 3 : 4), rootMidi + 7}; }

/// I-IV-V-I (major key) or i-iv-V-i (minor key, harmonic-minor dominant) in the key with
/// `tonic` (pitch class), each chord `secondsPerChord`, played `repeats` times. Roots around C4.
inline std::vector<float> cadence(int tonic, bool minor, double secondsPerChord = 1.0, int repeats = 2,
                                  int rate = kFeatureRate) {
    const int root = 60 + tonic;
    std::vector<float> s;
    for (int r = 0; r < repeats; ++r) {
        appendChord(s, triad(root, minor), secondsPerChord, rate);
        appendChord(s, triad(root + 5 - 12, minor), secondsPerChord, rate);
        appendChord(s, triad(root + 7 - 12, false), secondsPerChord, rate);
        appendChord(s, triad(root, minor), secondsPerChord, rate);
    }
    return s;
}

} // namespace tagscope::test
