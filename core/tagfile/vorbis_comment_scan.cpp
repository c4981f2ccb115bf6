// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/vorbis_comment_scan.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;

/// Little-endian u32 at `at`, when 4 bytes are there.
std::optional<uint32_t> le32(std::span<const uint8_t> b, size_t at) {
    if (at > b.size() || b.size() - at < 4) return std::nullopt;
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

} // namespace

std::vector<std::string> droppedVorbisComments(std::span<const uint8_t> block) {
    std::vector<std::string> out;
    const auto vendor = le32(block, 0);
    if (!vendor || block.size() - 4 < *vendor) return out;
    size_t at = 4 + size_t(*vendor);
    const auto count = le32(block, at);
    if (!count) return out;
    at += 4;
    for (uint32_t i = 0; i < *count; ++i) {
        const auto length = le32(block, at);
        if (!length || block.size() - at - 4 < *length) break;
        const std::string entry(reinterpret_cast<const char*>(block.data() + at + 4), *length);
        at += 4 + size_t(*length);
        const auto eq = entry.find('=');
        if (eq == std::string::npos) out.push_back(entry.substr(0, 64));
        else if (eq + 1 == entry.size()) out.push_back(upper(entry.substr(0, eq)) + "=");
    }
    return out;
}

Result<std::optional<std::vector<uint8_t>>> flacVorbisCommentBlock(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error::Kind::Io, path, "cannot open the file");
    uint8_t head[10] = {};
    in.read(reinterpret_cast<char*>(head), 10);
    if (in.gcount() < 4) return fail(Error::Kind::InvalidInput, path, "not a FLAC file (too short)");
    std::streamoff start = 0;
    if (in.gcount() == 10 && head[0] == 'I' && head[1] == 'D' && head[2] == '3') {
        // ID3v2 before the stream: 10-byte header, synchsafe size, optional 10-byte footer.
        start = 10 + (std::streamoff(head[6] & 0x7f) << 21 | std::streamoff(head[7] & 0x7f) << 14 |
                      std::streamoff(head[8] & 0x7f) << 7 | std::streamoff(head[9] & 0x7f));
        if (head[5] & 0x10) start += 10;
    }
    in.clear();
    in.seekg(start);
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() != 4 || std::string(magic, 4) != "fLaC") return fail(Error::Kind::InvalidInput, path, "not a FLAC file");
    // NOTE: at most 128 metadata blocks are read (real files hold a handful).
    for (int n = 0; n < 128; ++n) {
        uint8_t h[4] = {};
        in.read(reinterpret_cast<char*>(h), 4);
        if (in.gcount() != 4) return fail(Error::Kind::InvalidInput, path, "FLAC metadata ends in the middle of a block header");
        const bool last = h[0] & 0x80;
        const int type = h[0] & 0x7f;
        const uint32_t length = uint32_t(h[1]) << 16 | uint32_t(h[2]) << 8 | uint32_t(h[3]);
        if (type == 4) {
            std::vector<uint8_t> block(length);
            in.read(reinterpret_cast<char*>(block.data()), std::streamsize(length));
            if (size_t(in.gcount()) != length)
                return fail(Error::Kind::InvalidInput, path, "the FLAC comment block is cut short");
            return std::optional<std::vector<uint8_t>>(std::move(block));
        }
        if (last) break;
        in.seekg(length, std::ios::cur);
        if (!in) return fail(Error::Kind::InvalidInput, path, "FLAC metadata ends in the middle of a block");
    }
    return std::optional<std::vector<uint8_t>>();
}

} // namespace tagscope::tagfile
