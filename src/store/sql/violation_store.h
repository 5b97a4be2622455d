#pragma once
// What the SQL dialects share for the violations: statements written once with numbered parameters
// (?1, ...), which sqlite/violation_store.cc runs as they are and postgres/violation_store.cc as
// detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend files.

#include <cstdint>

#include "store/violation_store.h"

namespace gaia::store::sql {

inline constexpr char kViolationsSince[] =
    "SELECT user_id, key_id, type, limit_name, command, at_ms, count, first_ms FROM violations "
    "WHERE at_ms >= ?1 ORDER BY id";
inline constexpr char kDeleteViolationsBefore[] = "DELETE FROM violations WHERE at_ms < ?1";
// One page of scan_violations: keyset pagination on (at_ms, id), which is unique, from the
// cursor (?3, ?4) on; the first page starts from (?1, 0), before every row since ids are > 0.
inline constexpr char kScanViolations[] =
    "SELECT id, user_id, key_id, type, limit_name, command, at_ms, count, first_ms FROM violations "
    "WHERE at_ms >= ?1 AND at_ms < ?2 AND (at_ms, id) > (?3, ?4) ORDER BY at_ms, id LIMIT ?5";
inline constexpr int64_t kScanViolationsPage = 10'000;

// What merges an episode into the stored one of its group and second (the unique index
// violations_by_episode), after an INSERT of the columns user_id, key_id, type, limit_name,
// second, command, at_ms, count, first_ms: counts add, stopping at the largest integer; the
// span grows to cover both; the stored sample stays.
inline constexpr char kMergeViolationEpisode[] =
    " ON CONFLICT (user_id, key_id, type, limit_name, second) DO UPDATE SET "
    "count = CASE WHEN violations.count > 9223372036854775807 - excluded.count "
    "THEN 9223372036854775807 ELSE violations.count + excluded.count END, "
    "at_ms = CASE WHEN excluded.at_ms > violations.at_ms THEN excluded.at_ms "
    "ELSE violations.at_ms END, "
    "first_ms = CASE WHEN excluded.first_ms < violations.first_ms THEN excluded.first_ms "
    "ELSE violations.first_ms END";

// An episode from the columns user_id, key_id, type, limit_name, command, at_ms, count,
// first_ms read from column `at` on.
template <class Row>
Violation violation_of(const Row& r, int at) {
  Violation v{r.uint64(at),   r.uint64(at + 1), r.text(at + 2),
              r.text(at + 3), r.text(at + 4),   r.int64(at + 5)};
  v.count = r.uint64(at + 6);
  v.span_ms = v.at_ms - r.int64(at + 7);
  return v;
}

// A violations row, its columns in the order of kScanViolations.
template <class Row>
ViolationRecord violation_record_of(const Row& r) {
  return {r.uint64(0), violation_of(r, 1)};
}

}  // namespace gaia::store::sql
