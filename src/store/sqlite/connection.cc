#include "store/sqlite/connection.h"

namespace gaia::store::sqlite {

namespace {

// Errors that may pass (a lock, a full disk, a file that cannot be opened) are unavailable;
// the rest are internal.
core::Status status_for(int code, std::string msg) {
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL || code == SQLITE_IOERR ||
      code == SQLITE_READONLY || code == SQLITE_CANTOPEN) {
    return core::Status::unavailable(std::move(msg));
  }
  return core::Status::internal(std::move(msg));
}

}  // namespace

core::Status sqlite_error(sqlite3* db, std::string_view doing) {
  return status_for(sqlite3_errcode(db), std::string(doing) + ": " + sqlite3_errmsg(db));
}

Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_blob(int i, const void* data, size_t size) {
  sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_real(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

core::Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  core::Status error = sqlite_error(db_, "step");
  sqlite3_reset(stmt_);
  return error;
}

core::Status Statement::run() {
  auto r = step();
  reset();
  return r.ok() ? core::Status() : r.status();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const { return std::string(text_view(col)); }

std::string_view Statement::text_view(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}

std::string_view Statement::blob(int col) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}

core::Result<std::unique_ptr<Connection>> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    core::Status error = core::Status::unavailable("cannot open SQLite database " + path + ": " +
                                                   (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return error;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (core::Status s = conn->exec(pragma); !s.ok()) return s;
  }
  return conn;
}

Connection::~Connection() {
  kept_.clear();  // a connection with statements left unfinalized does not close
  sqlite3_close(db_);
}

core::Status Connection::exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  if (int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return status_for(rc, std::move(msg));
  }
  return {};
}

core::Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return sqlite_error(db_, "prepare");
  }
  return Statement(db_, stmt);
}

core::Result<Statement*> Connection::kept(std::string_view sql) {
  if (auto it = kept_.find(sql); it != kept_.end()) return &it->second;
  auto stmt = prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return &kept_.emplace(std::string(sql), std::move(stmt.value())).first->second;
}

core::Status Connection::run_kept(std::string_view sql) {
  auto stmt = kept(sql);
  return stmt.ok() ? stmt.value()->run() : stmt.status();
}

}  // namespace gaia::store::sqlite
