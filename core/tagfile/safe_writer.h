// SPDX-License-Identifier: GPL-3.0-or-later
// Writes a reviewed plan into a user's file without ever leaving it damaged: the tags are
// written into a temporary copy beside it, the copy is re-read and checked (fields as intended,
// audio decoding to the same samples), flushed to disk, journalled, then renamed over the
// original (atomic; mode and owner kept). Undo replays a journal backwards.
#pragma once

#include <filesystem>
#include <string>

#include "core/tagfile/write_journal.h"
#include "core/tagfile/write_plan.h"

namespace tagscope::tagfile {

/// What happened to one file.
enum class WriteStatus { Written, Unchanged, Skipped, Failed };

/// The result of writing (or undoing) one file; `message` is for users and names no file
/// (callers print the file beside it).
struct WriteOutcome {
    std::filesystem::path file;
    WriteStatus status = WriteStatus::Failed;
    std::string message;
};

/// "written", "unchanged", "skipped", "failed".
const char* statusName(WriteStatus status);

/// The temporary copy of `file` used while writing: ".<name>.tagscope-tmp" in the same folder.
std::filesystem::path tempPathFor(const std::filesystem::path& file);

/// True for names of the form ".<anything>.tagscope-tmp".
bool isTempName(const std::filesystem::path& name);

/// Deletes temporary copies left in `folder` by an interrupted write (not recursive); returns
/// how many were removed.
size_t removeStaleTemps(const std::filesystem::path& folder);

/// Writes `plan.changedFields()` into `plan.file` safely (see the file comment). A journal entry
/// is appended (and flushed) before the rename when `journal` is given. A skipped plan, or a
/// file that changed since it was planned, is left alone (Skipped); a failed check leaves the
/// original untouched (Failed).
WriteOutcome applyPlan(const FilePlan& plan, WriteJournal* journal);

/// Puts back the fields a journal entry changed, when the file is still exactly as Tagscope
/// wrote it (same SHA-256); otherwise Skipped with the reason. Same safety as applyPlan.
WriteOutcome undoEntry(const JournalEntry& entry);

} // namespace tagscope::tagfile
