// SPDX-License-Identifier: GPL-3.0-or-later
// A small synthetic music library for the catalog tests: 16-bit PCM WAV files, each a different
// chord with a little deterministic noise, so every file has different audio (different hash).
#pragma once

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

namespace tagscope::test {

/// Writes a mono 16 kHz 16-bit WAV of `seconds` whose content depends on `variant`.
inline void writeToneWav(const std::filesystem::path& path, int variant, double seconds = 6.0) {
    const int rate = 16000;
    const auto frames = static_cast<uint32_t>(seconds * rate);
    std::string data(frames * 2, '\0');
    uint32_t noise = 12345u + uint32_t(variant) * 7919u;
    const double f0 = 110.0 * std::pow(2.0, variant / 12.0);
    for (uint32_t i = 0; i < frames; ++i) {
        const double t = double(i) / rate;
        noise = noise * 1664525u + 1013904223u;
        double v = 0.3 * std::sin(2 * std::numbers::pi * f0 * t) + 0.2 * std::sin(2 * std::numbers::pi * f0 * 1.5 * t) +
                   0.1 * std::sin(2 * std::numbers::pi * f0 * 2.0 * t) + 0.02 * (double(noise >> 8) / double(1u << 24) - 0.5);
        v *= 0.5 + 0.5 * std::sin(2 * std::numbers::pi * (0.5 + 0.1 * variant) * t) * 0.5 + 0.25;
        const auto s = static_cast<int16_t>(std::lround(std::clamp(v, -1.0, 1.0) * 32000.0));
        data[2 * i] = char(s & 0xff);
        data[2 * i + 1] = char((s >> 8) & 0xff);
    }
    auto u32 = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
    auto u16 = [](uint16_t v) { return std::string{char(v), char(v >> 8)}; };
    std::string wav = "RIFF" + u32(36 + uint32_t(data.size())) + "WAVEfmt " + u32(16) + u16(1) + u16(1) + u32(rate) +
                      u32(rate * 2) + u16(2) + u16(16) + "data" + u32(uint32_t(data.size())) + data;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << wav;
}

/// `count` files album<i%3>/track<i>.wav under `root`; returns their paths.
inline std::vector<std::filesystem::path> makeLibrary(const std::filesystem::path& root, int count, double seconds = 6.0) {
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < count; ++i) {
        files.push_back(root / ("album" + std::to_string(i % 3)) / ("track" + std::to_string(i) + ".wav"));
        writeToneWav(files.back(), i, seconds);
    }
    return files;
}

} // namespace tagscope::test
