// SPDX-License-Identifier: GPL-3.0-or-later
// The journal of a write batch: one JSON line per file, written and fsynced before the file is
// replaced, so `tagscope-cli write --undo JOURNAL` can put the old fields back even after a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/tagfile/tag_file.h"

namespace tagscope::tagfile {

/// One file of a batch: what it was, and what it becomes.
/// JSON: {"v":1,"file":"...","original":{"size","mtime_ns","sha256","fields":{...}},
///        "written":{"size","sha256","fields":{...}}} — "fields" hold only the fields Tagscope
/// changes (GENRE, MOOD, TAGSCOPE; [] = absent). A path that is not valid UTF-8 is stored as
/// "file_hex" (its bytes in hexadecimal) instead of "file".
struct JournalEntry {
    std::filesystem::path file;
    uint64_t originalSize = 0;
    int64_t originalMtimeNs = 0;
    std::string originalSha256;
    FieldMap originalFields;
    uint64_t writtenSize = 0;
    std::string writtenSha256;
    FieldMap writtenFields;
};

/// The entry as one JSON object.
nlohmann::json journalEntryToJson(const JournalEntry& entry);
/// Reads an entry back; errors name `source` and the missing field.
Result<JournalEntry> journalEntryFromJson(const nlohmann::json& json, const std::string& source);

/// An open journal file, appended to line by line (each line fsynced). Move-only.
class WriteJournal {
public:
    /// Opens (creating it and its folder if needed) `path` for appending.
    static Result<WriteJournal> open(const std::filesystem::path& path);
    WriteJournal(WriteJournal&& other) noexcept;
    WriteJournal& operator=(WriteJournal&& other) noexcept;
    WriteJournal(const WriteJournal&) = delete;
    WriteJournal& operator=(const WriteJournal&) = delete;
    ~WriteJournal();

    /// Appends one entry and waits until it is on disk.
    Result<void> append(const JournalEntry& entry);
    const std::filesystem::path& path() const { return m_path; }

private:
    WriteJournal(std::filesystem::path path, int fd) : m_path(std::move(path)), m_fd(fd) {}
    std::filesystem::path m_path;
    int m_fd = -1;
};

/// A journal as read back.
struct JournalContents {
    std::vector<JournalEntry> entries;
    size_t damagedLines = 0; ///< lines that are not entries (e.g. the last one, cut by a crash)
};

/// Reads a journal. Errors: missing or unreadable file, or no entry at all in a non-empty file.
Result<JournalContents> readJournal(const std::filesystem::path& path);

/// Where a new batch's journal goes by default:
/// $XDG_DATA_HOME/tagscope/journals/write-YYYYMMDD-HHMMSS.jsonl (~/.local/share when unset).
std::filesystem::path defaultJournalPath();

} // namespace tagscope::tagfile
