#pragma once
// What the SQL dialects share for the users and API keys: statements written once with numbered
// parameters (?1, ...), which sqlite/user_key_store.cc runs as they are and
// postgres/user_key_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text
// differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kFindUser[] =
    "SELECT id, name, tier, created_at_ms FROM users WHERE name = ?1";
inline constexpr char kListUsers[] =
    "SELECT id, name, tier, created_at_ms FROM users ORDER BY name";
inline constexpr char kSetTier[] = "UPDATE users SET tier = ?2 WHERE id = ?1";
inline constexpr char kListKeys[] =
    "SELECT id, user_id, role, label, hash, created_at_ms, revoked_at_ms FROM api_keys ORDER BY id";
inline constexpr char kRevokeKey[] =
    "UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE id = ?1";

}  // namespace gaia::store::sql
