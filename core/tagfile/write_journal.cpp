// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tagfile/write_journal.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace tagscope::tagfile {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool validUtf8(const std::string& s) {
    try {
        (void)json(s).dump();
        return true;
    } catch (const json::exception&) {
        return false;
    }
}

std::string toHex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string fromHex(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

json fieldsJson(const FieldMap& fields) {
    json j = json::object();
    for (const auto& [k, v] : fields) j[k] = v;
    return j;
}

FieldMap readFields(const json& j) {
    FieldMap out;
    for (const auto& [k, v] : j.items()) out[k] = v.get<std::vector<std::string>>();
    return out;
}

} // namespace

json journalEntryToJson(const JournalEntry& e) {
    json j = {{"v", 1}};
    const std::string file = e.file.string();
    if (validUtf8(file)) j["file"] = file;
    else j["file_hex"] = toHex(file);
    j["original"] = {{"size", e.originalSize}, {"mtime_ns", e.originalMtimeNs}, {"sha256", e.originalSha256},
                     {"fields", fieldsJson(e.originalFields)}};
    j["written"] = {{"size", e.writtenSize}, {"sha256", e.writtenSha256}, {"fields", fieldsJson(e.writtenFields)}};
    return j;
}

Result<JournalEntry> journalEntryFromJson(const json& j, const std::string& source) {
    JournalEntry e;
    try {
        e.file = j.contains("file_hex") ? fs::path(fromHex(j.at("file_hex").get<std::string>()))
                                        : fs::path(j.at("file").get<std::string>());
        const json& o = j.at("original");
        e.originalSize = o.at("size").get<uint64_t>();
        e.originalMtimeNs = o.at("mtime_ns").get<int64_t>();
        e.originalSha256 = o.at("sha256").get<std::string>();
        e.originalFields = readFields(o.at("fields"));
        const json& w = j.at("written");
        e.writtenSize = w.at("size").get<uint64_t>();
        e.writtenSha256 = w.at("sha256").get<std::string>();
        e.writtenFields = readFields(w.at("fields"));
    } catch (const std::exception& ex) {
        return fail(Error::Kind::InvalidInput, source, std::string("journal entry is missing a field: ") + ex.what());
    }
    return e;
}

Result<WriteJournal> WriteJournal::open(const fs::path& path) {
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail(Error::Kind::Io, path, std::string("cannot create the journal: ") + std::strerror(errno));
    return WriteJournal(path, fd);
}

WriteJournal::WriteJournal(WriteJournal&& other) noexcept : m_path(std::move(other.m_path)), m_fd(other.m_fd) {
    other.m_fd = -1;
}

WriteJournal& WriteJournal::operator=(WriteJournal&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_path = std::move(other.m_path);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

WriteJournal::~WriteJournal() {
    if (m_fd >= 0) ::close(m_fd);
}

Result<void> WriteJournal::append(const JournalEntry& entry) {
    const std::string line = journalEntryToJson(entry).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(m_fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(Error::Kind::Io, m_path, std::string("cannot write the journal: ") + std::strerror(errno));
        done += size_t(n);
    }
    if (::fsync(m_fd) != 0) return fail(Error::Kind::Io, m_path, std::string("cannot flush the journal: ") + std::strerror(errno));
    return {};
}

Result<JournalContents> readJournal(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error::Kind::NotFound, path, "journal not found or unreadable");
    JournalContents out;
    std::string line;
    size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const json j = json::parse(line, nullptr, false);
        auto e = j.is_discarded() ? Result<JournalEntry>(fail(Error::Kind::InvalidInput, path, "bad line"))
                                  : journalEntryFromJson(j, path.string() + ":" + std::to_string(lineNo));
        if (e) out.entries.push_back(std::move(*e));
        else ++out.damagedLines;
    }
    if (out.entries.empty() && out.damagedLines > 0)
        return fail(Error::Kind::InvalidInput, path, "not a Tagscope write journal (no readable entry)");
    return out;
}

fs::path defaultJournalPath() {
    fs::path base;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) base = x;
    else if (const char* h = std::getenv("HOME"); h && *h) base = fs::path(h) / ".local" / "share";
    else base = fs::temp_directory_path();
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    fs::path p = base / "tagscope" / "journals" / (std::string("write-") + stamp + ".jsonl");
    for (int i = 2; fs::exists(p); ++i)
        p = base / "tagscope" / "journals" / (std::string("write-") + stamp + "-" + std::to_string(i) + ".jsonl");
    return p;
}

} // namespace tagscope::tagfile
