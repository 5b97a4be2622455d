#pragma once
// A thin RAII layer over the SQLite C API: a connection and its prepared statements.
// Not thread-safe: each thread that talks to the database owns its own Connection.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/detail/transaction.h"

namespace gaia::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameters are numbered from 1, as in SQL's ?1.
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, std::string_view v);
  Statement& bind_blob(int i, const void* data, size_t size);
  // The bytes as a BLOB, stored as they are whatever the column's affinity; "" is an empty
  // BLOB, not NULL.
  Statement& bind_blob(int i, std::string_view bytes) {
    return bind_blob(i, bytes.empty() ? "" : bytes.data(), bytes.size());
  }
  Statement& bind_null(int i);
  Statement& bind_real(int i, double v);
  // The text, or NULL when `v` is empty.
  Statement& bind_text_or_null(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
  }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, static_cast<int64_t>(*v)) : bind_null(i);
  }

  // One step: true while a row is ready; an error as a Status.
  core::Result<bool> step();
  // Runs to completion, for statements that return no rows; then resets for reuse.
  core::Status run();
  void reset();

  // Steps through every row, turning each into a T with `row_of(*this)`.
  template <class T, class RowOf>
  core::Result<std::vector<T>> collect(RowOf row_of) {
    std::vector<T> rows;
    for (;;) {
      auto row = step();
      if (!row.ok()) return row.status();
      if (!row.value()) return rows;
      rows.push_back(row_of(*this));
    }
  }

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  uint64_t uint64(int col) const { return static_cast<uint64_t>(int64(col)); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<int64_t> optional_int(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
  std::string text(int col) const;
  // Views of the current row's value, valid until the next step() or reset().
  std::string_view text_view(int col) const;
  std::string_view blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating) the file, in WAL mode, with synchronous=FULL so a commit is on disk
  // when it returns, and a busy timeout so writers from two connections wait for each other.
  static core::Result<std::unique_ptr<Connection>> open(const std::string& path);
  ~Connection();

  core::Status exec(std::string_view sql);
  core::Result<Statement> prepare(std::string_view sql);
  // The statement for `sql`, prepared on its first use and kept with the connection: later
  // calls with the same text get it back, reset, without parsing and planning it again. For
  // the statements run over and over (a group commit's inserts, BEGIN and COMMIT). The
  // statement lives as long as the connection; like the connection, one user at a time.
  core::Result<Statement*> kept(std::string_view sql);
  // Runs `sql`, one statement that returns no rows, as a kept statement.
  core::Status run_kept(std::string_view sql);
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, Statement, std::less<>> kept_;  // a map's nodes stay where they are
};

// BEGIN, COMMIT and ROLLBACK as kept statements (sqlite3_exec parses each every time).
struct KeptTransactionControl {
  Connection& db;
  core::Status exec(const char* sql) { return db.run_kept(sql); }
};

// Runs `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back when it fails.
template <class Fn>
auto in_transaction(Connection& db, Fn fn) -> decltype(fn()) {
  KeptTransactionControl control{db};
  return store::detail::run_in_transaction(control, "BEGIN IMMEDIATE", std::move(fn));
}

// The connection's last error, prefixed with what was being done.
core::Status sqlite_error(sqlite3* db, std::string_view doing);

}  // namespace gaia::store::sqlite
