// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/error.h"

namespace tagscope::io {

/// One member of a zip archive, as listed in its central directory.
struct ZipEntry {
    std::string name;
    uint16_t method = 0;            ///< 0 = stored (uncompressed), 8 = deflate, ...
    uint32_t crc32 = 0;
    uint64_t compressedSize = 0;
    uint64_t uncompressedSize = 0;
    uint64_t localHeaderOffset = 0;
};

/// A read-only view of a zip archive held in memory (the bytes must outlive it). Reads the
/// central directory, including ZIP64 records, and gives access to *stored* (uncompressed)
/// members only, which is how torch.save writes its archives.
class ZipArchive {
public:
    /// Parses the central directory of `bytes`; `file` names the archive in error messages.
    static Result<ZipArchive> parse(std::string_view bytes, const std::filesystem::path& file);

    /// True when `bytes` starts like a zip archive (a local file header signature).
    static bool looksLikeZip(std::string_view bytes);

    /// All entries, in central-directory order.
    const std::vector<ZipEntry>& entries() const { return m_entries; }

    /// The entry called `name`, or nullptr.
    const ZipEntry* find(std::string_view name) const;

    /// The bytes of a stored entry (bounds- and CRC-checked). Compressed entries are an error.
    Result<std::string_view> data(const ZipEntry& entry) const;

private:
    std::string_view m_bytes;
    std::filesystem::path m_file;
    std::vector<ZipEntry> m_entries;
    std::unordered_map<std::string, size_t> m_index; ///< name -> first entry with that name
};

/// CRC-32 (the zip / zlib polynomial) of `bytes`.
uint32_t crc32(std::string_view bytes);

} // namespace tagscope::io
