// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/catalog/sqlite_db.h"

#include <sqlite3.h>

namespace tagscope::catalog::detail {

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_file(std::move(other.m_file)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
    if (this != &other) {
        if (m_db) sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_file = std::move(other.m_file);
    }
    return *this;
}

SqliteDb::~SqliteDb() {
    if (m_db) sqlite3_close_v2(m_db);
}

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& file, bool create) {
    SqliteDb db;
    db.m_file = file;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &db.m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string why = db.m_db ? sqlite3_errmsg(db.m_db) : sqlite3_errstr(rc);
        return fail(Error::Kind::Io, file, "cannot open the catalog: " + why);
    }
    sqlite3_extended_result_codes(db.m_db, 1);
    // NOTE: another process (a scan, the GUI) may hold the write lock for one track's
    // transaction; wait for it rather than failing.
    sqlite3_busy_timeout(db.m_db, 10000);
    return db;
}

Result<void> SqliteDb::exec(std::string_view sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &msg);
    if (rc == SQLITE_OK) return {};
    std::string why = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return fail(Error::Kind::Io, m_file, "catalog error: " + why);
}

int64_t SqliteDb::changes() const { return sqlite3_changes64(m_db); }
int64_t SqliteDb::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

Error SqliteDb::error(const std::string& doing) const {
    const std::string why = m_db ? sqlite3_errmsg(m_db) : "no connection";
    const int code = m_db ? sqlite3_errcode(m_db) : SQLITE_ERROR;
    const auto kind = (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) ? Error::Kind::InvalidInput : Error::Kind::Io;
    return Error::make(kind, m_file, doing + ": " + why);
}

Statement::Statement(const SqliteDb& db, std::string_view sql) : m_db(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), int(sql.size()), &m_stmt, nullptr) != SQLITE_OK) m_stmt = nullptr;
}

Statement::~Statement() {
    if (m_stmt) sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int i, int64_t v) {
    if (m_stmt) sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}
Statement& Statement::bind(int i, double v) {
    if (m_stmt) sqlite3_bind_double(m_stmt, i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view text) {
    if (m_stmt) sqlite3_bind_text(m_stmt, i, text.data(), int(text.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bindBlob(int i, const void* data, size_t bytes) {
    // NOTE: a zero-length blob must still be a blob (not NULL) to satisfy NOT NULL columns.
    static const char kEmpty = 0;
    if (m_stmt) sqlite3_bind_blob64(m_stmt, i, bytes ? data : &kEmpty, bytes, SQLITE_TRANSIENT);
    return *this;
}

Result<bool> Statement::step() {
    if (!m_stmt) return fail(m_db.error("catalog query failed"));
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail(m_db.error("catalog query failed"));
}

Result<void> Statement::run() {
    auto r = step();
    if (!r) return fail(r.error());
    reset();
    return {};
}

void Statement::reset() {
    if (!m_stmt) return;
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::real(int col) const { return sqlite3_column_double(m_stmt, col); }
std::string Statement::text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
}
std::string Statement::blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(m_stmt, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
}
bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

Transaction::Transaction(SqliteDb& db) : m_db(db), m_begun(db.exec("BEGIN IMMEDIATE")) {}

Transaction::~Transaction() {
    if (m_begun && !m_done) (void)m_db.exec("ROLLBACK");
}

Result<void> Transaction::commit() {
    if (!m_begun) return fail(m_begun.error());
    auto r = m_db.exec("COMMIT");
    if (r) m_done = true;
    return r;
}

} // namespace tagscope::catalog::detail
