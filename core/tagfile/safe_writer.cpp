// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/safe_writer.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io/file_util.h"
#include "core/tagfile/audio_payload.h"

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTempSuffix = ".tagscope-tmp";

/// The file's words without "<file>: " in front (outcomes are printed beside the file).
std::string reason(const Error& e, const fs::path& file) {
    const std::string prefix = file.string() + ": ";
    return e.message.rfind(prefix, 0) == 0 ? e.message.substr(prefix.size()) : e.message;
}

WriteOutcome outcome(const fs::path& file, WriteStatus status, std::string message) {
    return {file, status, std::move(message)};
}

Result<void> syncPath(const fs::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return fail(Error::Kind::Io, path, std::string("cannot open: ") + std::strerror(errno));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return fail(Error::Kind::Io, path, std::string("cannot flush to disk: ") + std::strerror(errno));
    return {};
}

/// The fields the file must hold after the write: as read, with the changed ones replaced.
FieldMap expectedFields(const FilePlan& plan) {
    FieldMap out = plan.fields;
    for (const auto& [field, values] : plan.changedFields()) {
        if (values.empty()) out.erase(field);
        else out[field] = values;
    }
    return out;
}

std::string describeDifference(const FieldMap& expected, const FieldMap& actual) {
    for (const auto& [k, v] : expected) {
        auto it = actual.find(k);
        if (it == actual.end()) return "the field " + k + " is missing after writing";
        if (it->second != v) return "the field " + k + " reads back as \"" + joinValues(it->second) + "\"";
    }
    for (const auto& [k, v] : actual)
        if (!expected.count(k)) return "an unexpected field " + k + " appeared";
    return "the fields differ";
}

/// Writes and checks the temporary copy; the caller removes it on failure.
Result<void> prepareCopy(const FilePlan& plan, const fs::path& tmp, const struct stat& st) {
    std::error_code ec;
    fs::copy_file(plan.file, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) return fail(Error::Kind::Io, plan.file, "cannot make a temporary copy beside the file: " + ec.message());
    if (::chmod(tmp.c_str(), (st.st_mode & 07777) | S_IWUSR) != 0)
        return fail(Error::Kind::Io, plan.file, "cannot set the permissions of the temporary copy");
    if (auto w = writeFields(tmp, plan.changedFields(), plan.file); !w) return fail(Error::Kind::Io, plan.file, reason(w.error(), tmp));
    auto back = readTags(tmp, plan.file);
    if (!back) return fail(Error::Kind::Io, plan.file, "the written copy cannot be read back: " + reason(back.error(), tmp));
    const FieldMap expected = expectedFields(plan);
    if (back->fields != expected)
        return fail(Error::Kind::Mismatch, plan.file, "check failed, " + describeDifference(expected, back->fields));
    if (auto same = verifySameAudio(plan.file, tmp); !same)
        return fail(Error::Kind::Mismatch, plan.file, "check failed, " + reason(same.error(), tmp));
    // NOTE: the owner can only be kept by root or when it is us already; failing that is not an error.
    if (::chown(tmp.c_str(), st.st_uid, st.st_gid) != 0 && errno != EPERM)
        return fail(Error::Kind::Io, plan.file, "cannot keep the file's owner on the copy");
    if (::chmod(tmp.c_str(), st.st_mode & 07777) != 0)
        return fail(Error::Kind::Io, plan.file, "cannot keep the file's permissions on the copy");
    return syncPath(tmp, O_RDONLY);
}

} // namespace

const char* statusName(WriteStatus status) {
    switch (status) {
    case WriteStatus::Written: return "written";
    case WriteStatus::Unchanged: return "unchanged";
    case WriteStatus::Skipped: return "skipped";
    case WriteStatus::Failed: return "failed";
    }
    return "failed";
}

fs::path tempPathFor(const fs::path& file) {
    return file.parent_path() / ("." + file.filename().string() + kTempSuffix);
}

bool isTempName(const fs::path& name) {
    const std::string s = name.filename().string();
    const std::string suffix = kTempSuffix;
    return s.size() > suffix.size() + 1 && s[0] == '.' && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

size_t removeStaleTemps(const fs::path& folder) {
    size_t removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(folder.empty() ? fs::path(".") : folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (!isTempName(it->path()) || !it->is_regular_file(ec)) continue;
        if (fs::remove(it->path(), ec)) ++removed;
    }
    return removed;
}

WriteOutcome applyPlan(const FilePlan& plan, WriteJournal* journal) {
    if (!plan.skipReason.empty()) return outcome(plan.file, WriteStatus::Skipped, plan.skipReason);
    if (!plan.hasChanges()) return outcome(plan.file, WriteStatus::Unchanged, "already has these tags");
    struct stat st {};
    if (::stat(plan.file.c_str(), &st) != 0) return outcome(plan.file, WriteStatus::Skipped, "file not found");
    auto stamp = fileStamp(plan.file);
    if (!stamp || stamp->first != plan.size || stamp->second != plan.mtimeNs)
        return outcome(plan.file, WriteStatus::Skipped, "changed since the review: skipped, review it again");
    auto originalSha = io::sha256File(plan.file);
    if (!originalSha) return outcome(plan.file, WriteStatus::Failed, reason(originalSha.error(), plan.file));

    const fs::path tmp = tempPathFor(plan.file);
    std::error_code ec;
    auto failWith = [&](const Error& e) {
        fs::remove(tmp, ec);
        return outcome(plan.file, WriteStatus::Failed, reason(e, plan.file) + "; the file was not changed");
    };
    if (auto prepared = prepareCopy(plan, tmp, st); !prepared) return failWith(prepared.error());

    JournalEntry entry;
    entry.file = plan.file;
    entry.originalSize = plan.size;
    entry.originalMtimeNs = plan.mtimeNs;
    entry.originalSha256 = *originalSha;
    for (const auto& c : plan.changes) {
        if (!c.changed()) continue;
        entry.originalFields[c.field] = c.before;
        entry.writtenFields[c.field] = c.after;
    }
    auto writtenSha = io::sha256File(tmp);
    if (!writtenSha) return failWith(writtenSha.error());
    entry.writtenSha256 = *writtenSha;
    entry.writtenSize = fs::file_size(tmp, ec);
    if (journal)
        if (auto j = journal->append(entry); !j) return failWith(j.error());

    // NOTE: last look before the rename, so a file changed during the checks is never overwritten.
    auto again = fileStamp(plan.file);
    if (!again || again->first != plan.size || again->second != plan.mtimeNs) {
        fs::remove(tmp, ec);
        return outcome(plan.file, WriteStatus::Skipped, "changed while the tags were being written: skipped");
    }
    if (::rename(tmp.c_str(), plan.file.c_str()) != 0)
        return failWith(Error::make(Error::Kind::Io, plan.file, std::string("cannot replace the file: ") + std::strerror(errno)));
    const fs::path dir = plan.file.parent_path().empty() ? fs::path(".") : plan.file.parent_path();
    (void)syncPath(dir, O_RDONLY | O_DIRECTORY);
    return outcome(plan.file, WriteStatus::Written, "written");
}

WriteOutcome undoEntry(const JournalEntry& entry) {
    auto stamp = fileStamp(entry.file);
    if (!stamp) return outcome(entry.file, WriteStatus::Skipped, "file not found: not undone");
    auto sha = io::sha256File(entry.file);
    if (!sha) return outcome(entry.file, WriteStatus::Failed, reason(sha.error(), entry.file));
    if (*sha == entry.originalSha256) return outcome(entry.file, WriteStatus::Unchanged, "already as before the write");
    if (*sha != entry.writtenSha256)
        return outcome(entry.file, WriteStatus::Skipped, "changed since Tagscope wrote it: not undone");
    auto contents = readTags(entry.file);
    if (!contents) return outcome(entry.file, WriteStatus::Failed, reason(contents.error(), entry.file));
    FilePlan plan;
    plan.file = entry.file;
    plan.format = contents->format;
    plan.fields = std::move(contents->fields);
    plan.size = stamp->first;
    plan.mtimeNs = stamp->second;
    for (const auto& [field, values] : entry.originalFields) {
        FieldChange c;
        c.field = field;
        if (auto it = plan.fields.find(field); it != plan.fields.end()) c.before = it->second;
        c.after = values;
        plan.changes.push_back(std::move(c));
    }
    WriteOutcome out = applyPlan(plan, nullptr);
    if (out.status == WriteStatus::Written) out.message = "restored";
    return out;
}

} // namespace tagscope::tagfile
