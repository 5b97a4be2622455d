#pragma once
// What the SQL dialects share for the quota rules and command types: statements written once with
// numbered parameters (?1, ...), which sqlite/rule_store.cc runs as they are and
// postgres/rule_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text differs
// stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kListRules[] = "SELECT id, body, updated_at_ms FROM quota_rules ORDER BY id";
inline constexpr char kUpdateRule[] =
    "UPDATE quota_rules SET body = ?2, updated_at_ms = ?3 WHERE id = ?1";
inline constexpr char kDeleteRule[] = "DELETE FROM quota_rules WHERE id = ?1";

inline constexpr char kListCommandTypes[] =
    "SELECT id, name, description, retired, updated_at_ms FROM command_types ORDER BY id";
inline constexpr char kPutCommandType[] =
    "INSERT INTO command_types (name, description, retired, updated_at_ms) "
    "VALUES (?1, ?2, 0, ?3) ON CONFLICT (name) DO UPDATE SET "
    "description = excluded.description, retired = 0, updated_at_ms = excluded.updated_at_ms "
    "RETURNING id";
inline constexpr char kRetireCommandType[] =
    "UPDATE command_types SET retired = 1, updated_at_ms = ?2 WHERE name = ?1 AND retired = 0";

}  // namespace gaia::store::sql
