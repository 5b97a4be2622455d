#pragma once
// What the SQL dialects share for the audit log: statements written once with numbered parameters
// (?1, ...), which sqlite/audit_store.cc runs as they are and postgres/audit_store.cc as
// detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kAppendAudit[] =
    "INSERT INTO audit_log (actor, action, target, before, after, at_ms) VALUES (?1, ?2, ?3, ?4, "
    "?5, ?6)";
inline constexpr char kAuditSince[] =
    "SELECT actor, action, target, before, after, at_ms FROM audit_log WHERE at_ms >= ?1 ORDER BY "
    "id";

}  // namespace gaia::store::sql
