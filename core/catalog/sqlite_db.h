// SPDX-License-Identifier: GPL-3.0-or-later
// Thin RAII wrappers over the SQLite C API (internal to core/catalog): a connection, prepared
// statements with typed binds and columns, and a transaction that rolls back unless committed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tagscope::catalog::detail {

/// One SQLite connection. Errors name the database file.
class SqliteDb {
public:
    SqliteDb() = default;
    SqliteDb(SqliteDb&& other) noexcept;
    SqliteDb& operator=(SqliteDb&& other) noexcept;
    ~SqliteDb();

    /// Opens (creating when `create`) the database at `file`.
    static Result<SqliteDb> open(const std::filesystem::path& file, bool create);
    /// Runs one or more statements without results.
    Result<void> exec(std::string_view sql);
    /// An error naming the file, with SQLite's own message appended.
    Error error(const std::string& doing) const;
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    int64_t changes() const;
    /// Rowid of the last INSERT.
    int64_t lastInsertId() const;
    sqlite3* handle() const { return m_db; }
    const std::filesystem::path& file() const { return m_file; }

private:
    sqlite3* m_db = nullptr;
    std::filesystem::path m_file;
};

/// A prepared statement; bind indices are 1-based, column indices 0-based.
class Statement {
public:
    Statement(const SqliteDb& db, std::string_view sql);
    Statement(const Statement&) = delete;
    ~Statement();
    /// False when the SQL did not compile (step() then fails with SQLite's message).
    bool ok() const { return m_stmt != nullptr; }

    Statement& bind(int i, int64_t v);
    Statement& bind(int i, double v);
    Statement& bind(int i, std::string_view text);
    Statement& bindBlob(int i, const void* data, size_t bytes);

    /// Advances: true = a row is ready, false = done. Errors name the file.
    Result<bool> step();
    /// Runs a statement that returns no rows.
    Result<void> run();
    void reset();

    int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;   ///< raw bytes
    bool isNull(int col) const;

private:
    const SqliteDb& m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless commit() succeeded.
class Transaction {
public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    /// Result of BEGIN (a busy database is waited for up to the busy timeout).
    const Result<void>& begun() const { return m_begun; }
    Result<void> commit();

private:
    SqliteDb& m_db;
    Result<void> m_begun;
    bool m_done = false;
};

} // namespace tagscope::catalog::detail
