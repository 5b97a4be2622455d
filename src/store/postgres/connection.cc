#include "store/postgres/connection.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "core/redact_url.h"
#include "core/text.h"

namespace gaia::store::postgres {
namespace {

// SQLSTATE classes worth retrying: 08 connection exception, 53 insufficient resources,
// 57 operator intervention (shutdown, restart), 40 transaction rollback (serialization
// failure, deadlock).
bool transient(const char* sqlstate) {
  if (sqlstate == nullptr) return true;  // no server answer at all: the connection failed
  return std::strncmp(sqlstate, "08", 2) == 0 || std::strncmp(sqlstate, "53", 2) == 0 ||
         std::strncmp(sqlstate, "57", 2) == 0 || std::strncmp(sqlstate, "40", 2) == 0;
}

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

core::Status postgres_error(PGconn* conn, const PGresult* result, std::string_view doing) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = std::string(doing) + ": " +
                        trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (message.size() == doing.size() + 2) message += trimmed(PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK || transient(sqlstate)) {
    return core::Status::unavailable(std::move(message));
  }
  return core::Status::internal(std::move(message));
}

std::string Rows::text(int row, int col) const { return std::string(view(row, col)); }

std::string_view Rows::view(int row, int col) const {
  return std::string_view(PQgetvalue(result_, row, col),
                          static_cast<size_t>(PQgetlength(result_, row, col)));
}

int64_t Rows::int64(int row, int col) const {
  const char* p = PQgetvalue(result_, row, col);
  int64_t v = 0;
  std::from_chars(p, p + PQgetlength(result_, row, col), v);
  return v;
}

double Row::real(int col) const { return std::strtod(rows_.text(i_, col).c_str(), nullptr); }

std::optional<int64_t> Rows::optional_int(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

std::string Rows::bytes(int row, int col) const {
  std::string out;
  bytes_into(row, col, out);
  return out;
}

void Rows::bytes_into(int row, int col, std::string& out) const {
  std::string_view hex = view(row, col);
  if (hex.starts_with("\\x")) hex.remove_prefix(2);
  out.clear();
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = core::hex_value(hex[i]), lo = core::hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      out.clear();
      return;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
}

uint64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_);
  uint64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

core::Result<std::unique_ptr<Connection>> Connection::open(const std::string& url,
                                                           const char* application_name) {
  // Earlier keywords are defaults: the URL, expanded in place of dbname, overrides them.
  const char* keywords[] = {"connect_timeout",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "application_name",
                            "dbname",
                            nullptr};
  const char* values[] = {"5", "10", "5", "3", application_name, url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) return core::Status::unavailable("cannot connect to PostgreSQL: no memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq may quote back a piece of the URL it could not read, the password included.
    core::Status error =
        core::Status::unavailable("cannot connect to PostgreSQL: " +
                                  core::without_secrets(trimmed(PQerrorMessage(conn)), url));
    PQfinish(conn);
    return error;
  }
  std::unique_ptr<Connection> c(new Connection(conn));
  // Quiet NOTICEs (e.g. "relation already exists, skipping") stay out of the server's stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::in_transaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

core::Status Connection::ensure_open() {
  if (PQstatus(conn_) == CONNECTION_OK) return {};
  PQreset(conn_);
  prepared_.clear();  // prepared statements died with the old session
  if (PQstatus(conn_) != CONNECTION_OK) {
    return core::Status::unavailable("cannot connect to PostgreSQL: " +
                                     trimmed(PQerrorMessage(conn_)));
  }
  return {};
}

core::Status Connection::exec(const char* sql) {
  const bool retryable = !in_transaction();
  for (int attempt = 0;; ++attempt) {
    if (core::Status s = ensure_open(); !s.ok()) return s;
    PGresult* r = PQexec(conn_, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
      PQclear(r);
      return {};
    }
    core::Status error = postgres_error(conn_, r, "query");
    PQclear(r);
    // A connection that broke since the last call (a server restart) is retried once, new,
    // unless a transaction was open: its earlier statements are gone with it.
    if (attempt > 0 || !retryable || PQstatus(conn_) == CONNECTION_OK) return error;
  }
}

core::Result<Rows> Connection::run(const char* name, const char* sql,
                                   const std::vector<Param>& params) {
  const bool retryable = !in_transaction();
  auto first = run_once(name, sql, params);
  if (first.ok() || !retryable || PQstatus(conn_) == CONNECTION_OK) return first;
  return run_once(name, sql, params);
}

core::Result<Rows> Connection::run_once(const char* name, const char* sql,
                                        const std::vector<Param>& params) {
  if (core::Status s = ensure_open(); !s.ok()) return s;
  if (!prepared_.contains(name)) {
    Rows prepared(PQprepare(conn_, name, sql, static_cast<int>(params.size()), nullptr));
    if (PQresultStatus(prepared.result()) != PGRES_COMMAND_OK) {
      return postgres_error(conn_, prepared.result(), std::string("prepare ") + name);
    }
    prepared_.insert(name);
  }
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const std::optional<std::string>& v = params[i].value;
    values[i] = v ? v->data() : nullptr;
    lengths[i] = v ? static_cast<int>(v->size()) : 0;  // read for binary values only
    formats[i] = params[i].is_binary ? 1 : 0;
  }
  Rows rows(PQexecPrepared(conn_, name, static_cast<int>(values.size()), values.data(),
                           lengths.data(), formats.data(), 0));
  ExecStatusType st = PQresultStatus(rows.result());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return postgres_error(conn_, rows.result(), name);
  }
  return rows;
}

}  // namespace gaia::store::postgres
