// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/zip_reader.h"

#include <array>
#include <cstring>

namespace tagscope::io {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EndSize = 56;
constexpr uint32_t kSaturated32 = 0xffffffffu;

// Little-endian reads; callers check bounds first.
uint16_t le16(std::string_view b, size_t at) {
    return static_cast<uint16_t>(uint8_t(b[at]) | (uint8_t(b[at + 1]) << 8));
}
uint32_t le32(std::string_view b, size_t at) {
    return uint32_t(le16(b, at)) | (uint32_t(le16(b, at + 2)) << 16);
}
uint64_t le64(std::string_view b, size_t at) {
    return uint64_t(le32(b, at)) | (uint64_t(le32(b, at + 4)) << 32);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes.
bool inRange(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

std::array<uint32_t, 256> makeCrcTable() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

// Applies the ZIP64 "extended information" extra field (id 0x0001) to saturated fields.
bool applyZip64Extra(std::string_view extra, bool needUncompressed, bool needCompressed, bool needOffset,
                     ZipEntry& entry) {
    size_t pos = 0;
    while (pos + 4 <= extra.size()) {
        const uint16_t id = le16(extra, pos);
        const uint16_t len = le16(extra, pos + 2);
        pos += 4;
        if (pos + len > extra.size()) return false;
        if (id == 0x0001) {
            size_t at = pos;
            const size_t end = pos + len;
            auto take = [&](uint64_t& field) {
                if (at + 8 > end) return false;
                field = le64(extra, at);
                at += 8;
                return true;
            };
            if (needUncompressed && !take(entry.uncompressedSize)) return false;
            if (needCompressed && !take(entry.compressedSize)) return false;
            if (needOffset && !take(entry.localHeaderOffset)) return false;
            return true;
        }
        pos += len;
    }
    return !(needUncompressed || needCompressed || needOffset);
}

} // namespace

uint32_t crc32(std::string_view bytes) {
    static const std::array<uint32_t, 256> table = makeCrcTable();
    uint32_t c = 0xffffffffu;
    for (const char ch : bytes) c = table[(c ^ uint8_t(ch)) & 0xffu] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

bool ZipArchive::looksLikeZip(std::string_view bytes) {
    return bytes.size() >= 4 && le32(bytes, 0) == kLocalHeaderSig;
}

Result<ZipArchive> ZipArchive::parse(std::string_view bytes, const std::filesystem::path& file) {
    const auto bad = [&](const std::string& why) {
        return fail(Error::Kind::InvalidInput, file, "damaged or truncated zip archive (" + why + ")");
    };
    if (bytes.size() < kEndOfCentralDirSize) return bad("too short for an end-of-directory record");

    // The end-of-central-directory record sits at the end, followed by a comment of <= 64 KiB.
    size_t eocd = std::string_view::npos;
    const size_t last = bytes.size() - kEndOfCentralDirSize;
    const size_t first = last > 0xffff ? last - 0xffff : 0;
    for (size_t p = last + 1; p-- > first;) {
        if (bytes[p] == 'P' && le32(bytes, p) == kEndOfCentralDirSig && p + kEndOfCentralDirSize + le16(bytes, p + 20) <= bytes.size()) {
            eocd = p;
            break;
        }
    }
    if (eocd == std::string_view::npos) return bad("no end-of-central-directory record");

    uint64_t entryCount = le16(bytes, eocd + 10);
    uint64_t dirSize = le32(bytes, eocd + 12);
    uint64_t dirOffset = le32(bytes, eocd + 16);
    if (eocd >= kZip64LocatorSize && le32(bytes, eocd - kZip64LocatorSize) == kZip64LocatorSig) {
        const uint64_t z64 = le64(bytes, eocd - kZip64LocatorSize + 8);
        if (!inRange(z64, kZip64EndSize, bytes.size()) || le32(bytes, z64) != kZip64EndSig)
            return bad("ZIP64 end record is missing");
        entryCount = le64(bytes, z64 + 32);
        dirSize = le64(bytes, z64 + 40);
        dirOffset = le64(bytes, z64 + 48);
    }
    if (!inRange(dirOffset, dirSize, bytes.size())) return bad("central directory lies outside the file");
    if (entryCount > dirSize / kCentralHeaderSize) return bad("entry count does not fit the central directory");

    ZipArchive zip;
    zip.m_bytes = bytes;
    zip.m_file = file;
    zip.m_entries.reserve(static_cast<size_t>(entryCount));
    uint64_t pos = dirOffset;
    const uint64_t dirEnd = dirOffset + dirSize;
    for (uint64_t i = 0; i < entryCount; ++i) {
        if (!inRange(pos, kCentralHeaderSize, dirEnd) || le32(bytes, pos) != kCentralHeaderSig)
            return bad("central directory entry " + std::to_string(i) + " is malformed");
        const size_t at = static_cast<size_t>(pos);
        ZipEntry e;
        e.method = le16(bytes, at + 10);
        e.crc32 = le32(bytes, at + 16);
        e.compressedSize = le32(bytes, at + 20);
        e.uncompressedSize = le32(bytes, at + 24);
        const uint16_t nameLen = le16(bytes, at + 28);
        const uint16_t extraLen = le16(bytes, at + 30);
        const uint16_t commentLen = le16(bytes, at + 32);
        e.localHeaderOffset = le32(bytes, at + 42);
        const uint64_t varLen = uint64_t(nameLen) + extraLen + commentLen;
        if (!inRange(pos + kCentralHeaderSize, varLen, dirEnd))
            return bad("central directory entry " + std::to_string(i) + " is cut short");
        e.name.assign(bytes.substr(at + kCentralHeaderSize, nameLen));
        const std::string_view extra = bytes.substr(at + kCentralHeaderSize + nameLen, extraLen);
        if (!applyZip64Extra(extra, e.uncompressedSize == kSaturated32, e.compressedSize == kSaturated32,
                             e.localHeaderOffset == kSaturated32, e))
            return bad("entry '" + e.name + "' has a malformed ZIP64 field");
        zip.m_index.emplace(e.name, zip.m_entries.size());
        zip.m_entries.push_back(std::move(e));
        pos += kCentralHeaderSize + varLen;
    }
    return zip;
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
    const auto it = m_index.find(std::string(name));
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

Result<std::string_view> ZipArchive::data(const ZipEntry& entry) const {
    if (entry.method != 0)
        return fail(Error::Kind::InvalidInput, m_file,
                    "zip entry '" + entry.name + "' is compressed (method " + std::to_string(entry.method) +
                        "); only stored entries, as written by torch.save, are supported");
    if (entry.compressedSize != entry.uncompressedSize)
        return fail(Error::Kind::InvalidInput, m_file, "zip entry '" + entry.name + "' has inconsistent sizes");
    const uint64_t h = entry.localHeaderOffset;
    if (!inRange(h, kLocalHeaderSize, m_bytes.size()) || le32(m_bytes, static_cast<size_t>(h)) != kLocalHeaderSig)
        return fail(Error::Kind::InvalidInput, m_file, "zip entry '" + entry.name + "' has no valid local header (truncated?)");
    const uint64_t start = h + kLocalHeaderSize + le16(m_bytes, static_cast<size_t>(h + 26)) +
                           le16(m_bytes, static_cast<size_t>(h + 28));
    if (!inRange(start, entry.uncompressedSize, m_bytes.size()))
        return fail(Error::Kind::InvalidInput, m_file, "zip entry '" + entry.name + "' extends past the end of the file (truncated?)");
    const std::string_view out = m_bytes.substr(static_cast<size_t>(start), static_cast<size_t>(entry.uncompressedSize));
    if (crc32(out) != entry.crc32)
        return fail(Error::Kind::InvalidInput, m_file, "zip entry '" + entry.name + "' is damaged (checksum mismatch)");
    return out;
}

} // namespace tagscope::io
