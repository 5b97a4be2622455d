#pragma once
// What the SQL dialects share for the users and API keys: statements written once with numbered
// parameters (?1, ...), which sqlite/user_key_store.cc runs as they are and
// postgres/user_key_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text
// differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kFindUser[] =
    "SELECT id, name, tier, created_at_ms, COALESCE(webhook_url, '') FROM users "
    "WHERE name = ?1 AND deleted_at_ms IS NULL";
inline constexpr char kListUsers[] =
    "SELECT id, name, tier, created_at_ms, COALESCE(webhook_url, '') FROM users "
    "WHERE deleted_at_ms IS NULL ORDER BY name";
inline constexpr char kSetTier[] = "UPDATE users SET tier = ?2 WHERE id = ?1";
// An empty URL is stored as NULL: no webhook.
inline constexpr char kSetWebhookUrl[] =
    "UPDATE users SET webhook_url = NULLIF(CAST(?2 AS TEXT), '') WHERE id = ?1";
inline constexpr char kListKeys[] =
    "SELECT id, user_id, role, label, hash, created_at_ms, revoked_at_ms, agent, from_env "
    "FROM api_keys ORDER BY id";
inline constexpr char kRevokeKey[] =
    "UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE id = ?1";
inline constexpr char kUpdateKey[] = "UPDATE api_keys SET role = ?2, agent = ?3 WHERE id = ?1";
inline constexpr char kMarkUserDeleted[] =
    "UPDATE users SET deleted_at_ms = ?2 WHERE id = ?1 AND deleted_at_ms IS NULL";
inline constexpr char kRevokeUserKeys[] =
    "UPDATE api_keys SET revoked_at_ms = ?2 WHERE user_id = ?1 AND revoked_at_ms IS NULL";

}  // namespace gaia::store::sql
