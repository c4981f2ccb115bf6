// SPDX-License-Identifier: GPL-3.0-or-later
// Synthesizes audio files (good and deliberately broken) for the audio decoder tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <sndfile.h>

namespace tagscope::test {

/// Interleaved frames of `channels` sines: channel c has frequency freq*(c+1) and amplitude
/// 0.5/(c+1), so every channel differs and the mean is known.
inline std::vector<float> sineFrames(int rate, int channels, int64_t frames, double freq) {
    std::vector<float> data(static_cast<size_t>(frames * channels));
    for (int64_t i = 0; i < frames; ++i) {
        for (int c = 0; c < channels; ++c) {
            const double t = double(i) / rate;
            data[size_t(i * channels + c)] =
                float(0.5 / (c + 1) * std::sin(2.0 * std::numbers::pi * freq * (c + 1) * t));
        }
    }
    return data;
}

/// Writes interleaved float frames with libsndfile; returns false when libsndfile refuses.
inline bool writeSound(const std::filesystem::path& path, int format, int rate, int channels,
                       const std::vector<float>& interleaved) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file) return false;
    const sf_count_t frames = sf_count_t(interleaved.size()) / channels;
    const bool ok = sf_writef_float(file, interleaved.data(), frames) == frames;
    sf_close(file);
    return ok;
}

/// Writes raw bytes to a file.
inline void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

/// Keeps only the first `size` bytes of a file.
inline void truncateFile(const std::filesystem::path& path, uintmax_t size) {
    std::filesystem::resize_file(path, size);
}

/// A hand-made 16-bit PCM WAV header + data with arbitrary (possibly invalid) fields.
inline std::string rawWav(uint16_t formatTag, uint16_t channels, uint32_t rate, uint32_t dataBytes,
                          uint32_t presentDataBytes) {
    auto le16 = [](uint16_t v) { return std::string{char(v & 0xff), char(v >> 8)}; };
    auto le32 = [](uint32_t v) {
        return std::string{char(v & 0xff), char((v >> 8) & 0xff), char((v >> 16) & 0xff), char(v >> 24)};
    };
    const uint16_t blockAlign = uint16_t(std::max<int>(1, channels) * 2);
    std::string s = "RIFF" + le32(36 + dataBytes) + "WAVE";
    s += "fmt " + le32(16) + le16(formatTag) + le16(channels) + le32(rate) + le32(rate * blockAlign) +
         le16(blockAlign) + le16(16);
    s += "data" + le32(dataBytes);
    for (uint32_t i = 0; i < presentDataBytes; ++i) s += char((i * 37) & 0x3f);
    return s;
}

} // namespace tagscope::test
