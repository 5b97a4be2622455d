#pragma once
// What the SQL dialects share for the quota rules: statements written once with numbered
// parameters (?1, ...), which sqlite/rule_store.cc runs as they are and postgres/rule_store.cc as
// detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kListRules[] = "SELECT id, body, updated_at_ms FROM quota_rules ORDER BY id";
inline constexpr char kUpdateRule[] =
    "UPDATE quota_rules SET body = ?2, updated_at_ms = ?3 WHERE id = ?1";
inline constexpr char kDeleteRule[] = "DELETE FROM quota_rules WHERE id = ?1";

}  // namespace gaia::store::sql
