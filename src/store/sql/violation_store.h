#pragma once
// What the SQL dialects share for the violations: statements written once with numbered parameters
// (?1, ...), which sqlite/violation_store.cc runs as they are and postgres/violation_store.cc as
// detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kViolationsSince[] =
    "SELECT user_id, key_id, type, limit_name, command, at_ms FROM violations WHERE at_ms >= ?1 "
    "ORDER BY id";

}  // namespace gaia::store::sql
