#pragma once
// What the SQL dialects share for the quota usage: statements written once with numbered
// parameters (?1, ...), which sqlite/usage_store.cc runs as they are and postgres/usage_store.cc
// as detail::postgres_text<...> ($1, ...). Statements whose text differs stay in the backend
// files.

namespace gaia::store::sql {

inline constexpr char kUsageSince[] =
    "SELECT user_id, key_id, type, day_start_ms, used FROM quota_usage WHERE day_start_ms >= ?1";
inline constexpr char kDeleteUsage[] =
    "DELETE FROM quota_usage WHERE user_id = ?1 AND day_start_ms >= ?2";

}  // namespace gaia::store::sql
