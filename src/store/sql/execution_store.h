#pragma once
// What the SQL dialects share for the executions: statements written once with numbered parameters
// (?1, ...), which sqlite/execution_store.cc runs as they are and postgres/execution_store.cc as
// detail::postgres_text<...> ($1, ...), and row mapping over a row of either (sqlite::Statement,
// postgres::Row). Statements whose text differs stay in the backend files.

#include "store/execution_store.h"

namespace gaia::store::sql {

inline constexpr char kFindExecution[] =
    "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
    "peak_memory_bytes, exit_code, signal FROM executions WHERE user_id = ?1 AND id = ?2";
inline constexpr char kCountExecutions[] = "SELECT COUNT(*) FROM executions";
inline constexpr char kDeleteExecutionsBefore[] = "DELETE FROM executions WHERE started_at_ms < ?1";

// An executions row, its columns in the order of kFindExecution.
template <class Row>
Execution execution_of(const Row& r) {
  Execution e;
  e.id = r.text(0);
  e.user_id = r.uint64(1);
  e.key_id = r.uint64(2);
  e.type = r.text(3);
  e.command = r.text(4);
  e.started_at_ms = r.int64(5);
  e.duration_ms = r.int64(6);
  e.cpu_ms = r.int64(7);
  e.peak_memory_bytes = r.int64(8);
  if (auto v = r.optional_int(9)) e.exit_code = static_cast<int>(*v);
  if (auto v = r.optional_int(10)) e.signal = static_cast<int>(*v);
  return e;
}

}  // namespace gaia::store::sql
