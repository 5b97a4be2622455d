#pragma once
// What the SQL dialects share for the violations: statements written once with numbered parameters
// (?1, ...), which sqlite/violation_store.cc runs as they are and postgres/violation_store.cc as
// detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend files.

#include <cstdint>

#include "store/violation_store.h"

namespace gaia::store::sql {

inline constexpr char kViolationsSince[] =
    "SELECT user_id, key_id, type, limit_name, command, at_ms FROM violations WHERE at_ms >= ?1 "
    "ORDER BY id";
inline constexpr char kDeleteViolationsBefore[] = "DELETE FROM violations WHERE at_ms < ?1";
// One page of scan_violations: keyset pagination on (at_ms, id), which is unique, from the
// cursor (?3, ?4) on; the first page starts from (?1, 0), before every row since ids are > 0.
inline constexpr char kScanViolations[] =
    "SELECT id, user_id, key_id, type, limit_name, command, at_ms FROM violations "
    "WHERE at_ms >= ?1 AND at_ms < ?2 AND (at_ms, id) > (?3, ?4) ORDER BY at_ms, id LIMIT ?5";
inline constexpr int64_t kScanViolationsPage = 10'000;

// A violations row, its columns in the order of kScanViolations.
template <class Row>
ViolationRecord violation_record_of(const Row& r) {
  return {r.uint64(0), {r.uint64(1), r.uint64(2), r.text(3), r.text(4), r.text(5), r.int64(6)}};
}

}  // namespace gaia::store::sql
