#pragma once
// A thin RAII layer over libpq: one connection, its results, and statements prepared once
// per connection. A connection that breaks (the server restarted, the network went away) is
// re-established on the next call; statements are then prepared again.
// Not thread-safe: each thread that talks to the database owns its own Connection, or holds
// a lock around it.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/detail/transaction.h"

namespace gaia::store::postgres {

// A statement parameter: text (nullopt is SQL NULL), or a value in the binary form of the
// type the statement gives it (postgres/array_param.h).
struct Param {
  Param(std::nullopt_t) {}  // NOLINT: a parameter is written as the value it holds
  Param(std::optional<std::string> v) : value(std::move(v)) {}  // NOLINT
  Param(std::string v) : value(std::move(v)) {}                 // NOLINT
  Param(const char* v) : value(std::string(v)) {}               // NOLINT
  static Param binary(std::string bytes) {
    Param p(std::move(bytes));
    p.is_binary = true;
    return p;
  }

  std::optional<std::string> value;
  bool is_binary = false;
};
inline Param param(int64_t v) { return std::to_string(v); }
inline Param param(uint64_t v) { return std::to_string(static_cast<int64_t>(v)); }
inline Param param(std::string_view v) { return std::string(v); }
// The text, or NULL when `v` is empty.
inline Param text_or_null(const std::optional<std::string>& v) { return v; }
template <class T>
Param param(const std::optional<T>& v) {
  return v ? param(static_cast<int64_t>(*v)) : std::nullopt;
}

class Rows;

// Row `i` of some Rows, read column by column as a sqlite::Statement's current row is, so
// that row mapping is written once for both dialects (see store/sql/). Valid while the Rows.
class Row {
 public:
  Row(const Rows& rows, int i) : rows_(rows), i_(i) {}
  int64_t int64(int col) const;
  uint64_t uint64(int col) const { return static_cast<uint64_t>(int64(col)); }
  std::optional<int64_t> optional_int(int col) const;
  double real(int col) const;
  std::string text(int col) const;

 private:
  const Rows& rows_;
  int i_;
};

// The rows of one statement. Move-only.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  Rows(Rows&& o) noexcept : result_(o.result_) { o.result_ = nullptr; }
  Rows& operator=(Rows&&) = delete;
  ~Rows() { PQclear(result_); }

  int size() const { return PQntuples(result_); }
  bool is_null(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }
  std::string text(int row, int col) const;
  // The value's text, valid as long as these Rows.
  std::string_view view(int row, int col) const;
  int64_t int64(int row, int col) const;
  uint64_t uint64(int row, int col) const { return static_cast<uint64_t>(int64(row, col)); }
  std::optional<int64_t> optional_int(int row, int col) const;
  // A bytea column (hex output format) as raw bytes.
  std::string bytes(int row, int col) const;
  // The same into `out` (replacing what it held), so one buffer serves every row.
  void bytes_into(int row, int col, std::string& out) const;
  // Rows affected by an INSERT, UPDATE or DELETE.
  uint64_t affected() const;
  const PGresult* result() const { return result_; }

  Row row(int i) const { return Row(*this, i); }
  // Every row, each turned into a T with `row_of(Row)`.
  template <class T, class RowOf>
  std::vector<T> collect(RowOf row_of) const {
    std::vector<T> out;
    out.reserve(static_cast<size_t>(size()));
    for (int i = 0; i < size(); ++i) out.push_back(row_of(row(i)));
    return out;
  }

 private:
  PGresult* result_;
};

inline int64_t Row::int64(int col) const { return rows_.int64(i_, col); }
inline std::optional<int64_t> Row::optional_int(int col) const {
  return rows_.optional_int(i_, col);
}
inline std::string Row::text(int col) const { return rows_.text(i_, col); }

class Connection {
 public:
  // Connects to `url` (postgres:// or postgresql://, or a key=value conninfo), with a
  // connect timeout and TCP keepalives unless the URL sets its own. `application_name` is
  // how the server's pg_stat_activity names the connection.
  static core::Result<std::unique_ptr<Connection>> open(
      const std::string& url, const char* application_name = "gaia_server");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` (no parameters; several statements allowed).
  core::Status exec(const char* sql);
  // Runs `sql` with `params` ($1, $2, ...) as the prepared statement `name`, preparing it on
  // this connection first if needed. `name` identifies `sql`: one name, one text.
  core::Result<Rows> run(const char* name, const char* sql, const std::vector<Param>& params);

  bool in_transaction() const;
  // The libpq connection, for what this layer does not wrap (notifications).
  PGconn* native() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  // Re-establishes a broken connection; kUnavailable while the server cannot be reached.
  core::Status ensure_open();
  core::Result<Rows> run_once(const char* name, const char* sql, const std::vector<Param>& params);

  PGconn* conn_;
  std::unordered_set<std::string> prepared_;
};

// Runs `fn` inside BEGIN … COMMIT, rolling back when it fails.
template <class Fn>
auto in_transaction(Connection& db, Fn fn) -> decltype(fn()) {
  return detail::run_in_transaction(db, "BEGIN", std::move(fn));
}

// A failed result as a Status: what may pass (the connection lost, the server shutting down
// or out of resources, a serialization failure or deadlock) is kUnavailable, the rest
// kInternal; the message says what was being done.
core::Status postgres_error(PGconn* conn, const PGresult* result, std::string_view doing);

}  // namespace gaia::store::postgres
