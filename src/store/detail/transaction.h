#pragma once
// run_in_transaction(): one unit of store work inside one transaction of an SQL backend's
// connection (sqlite, postgres). Header-only and stateless; each backend names its own BEGIN
// (see in_transaction() in its connection.h).

#include "core/status.h"

namespace gaia::store::detail {

// Runs `fn` between `begin` and COMMIT and returns what `fn` returned, or the failure of
// BEGIN or COMMIT. A failing `fn` or COMMIT is rolled back, leaving the database unchanged.
// REQUIRES: `db.exec(const char*)` returns core::Status; `fn()` returns a Status or a Result<T>.
template <class Db, class Fn>
auto run_in_transaction(Db& db, const char* begin, Fn fn) -> decltype(fn()) {
  if (core::Status s = db.exec(begin); !s.ok()) return s;
  auto result = fn();
  if (!result.ok()) {
    (void)db.exec("ROLLBACK");
    return result;
  }
  if (core::Status s = db.exec("COMMIT"); !s.ok()) {
    (void)db.exec("ROLLBACK");
    return s;
  }
  return result;
}

}  // namespace gaia::store::detail
