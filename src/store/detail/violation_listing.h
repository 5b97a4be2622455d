#pragma once
// The violations listing as SQL naming only the filters that are set, so that a filter's index
// (by user, by type, by limit name, each ending in the id) serves the query, newest first,
// instead of a scan testing "? IS NULL OR ..." on every row. Header-only, shared by the SQL
// backends (sqlite, postgres), which differ only in how a parameter is written.

#include <cstdint>
#include <string>

#include "store/store.h"

namespace gaia::store::detail {

struct ViolationListing {
  std::string sql;
  uint32_t shape = 0;  // one bit per filter that is set: names a prepared statement
};

// Parameters are numbered from 1 in the order for_each_violation_parameter() gives them;
// `mark` is the dialect's prefix ('?' for SQLite, '$' for PostgreSQL).
inline ViolationListing violation_listing(const ViolationFilter& f, char mark) {
  ViolationListing q;
  q.sql =
      "SELECT id, user_id, key_id, type, limit_name, command, at_ms, count, first_ms FROM "
      "violations";
  int n = 0;
  auto where = [&](bool set, const char* condition) {
    q.shape = q.shape << 1 | (set ? 1 : 0);
    if (!set) return;
    q.sql += n == 0 ? " WHERE " : " AND ";
    q.sql += condition;
    q.sql += mark;
    q.sql += std::to_string(++n);
  };
  where(f.user_id.has_value(), "user_id = ");
  where(f.type.has_value(), "type = ");
  where(f.limit_name.has_value(), "limit_name = ");
  where(f.from_ms.has_value(), "at_ms >= ");
  where(f.to_ms.has_value(), "at_ms < ");
  where(f.before_id.has_value(), "id < ");
  q.sql += " ORDER BY id DESC LIMIT ";
  q.sql += mark;
  q.sql += std::to_string(++n);
  return q;
}

// Calls bind(value) for each parameter of violation_listing(f, ...), in order: the set
// filters, then the row limit.
template <class Bind>
void for_each_violation_parameter(const ViolationFilter& f, Bind bind) {
  if (f.user_id) bind(static_cast<int64_t>(*f.user_id));
  if (f.type) bind(*f.type);
  if (f.limit_name) bind(*f.limit_name);
  if (f.from_ms) bind(*f.from_ms);
  if (f.to_ms) bind(*f.to_ms);
  if (f.before_id) bind(static_cast<int64_t>(*f.before_id));
  bind(static_cast<int64_t>(f.limit));
}

}  // namespace gaia::store::detail
