#pragma once
// What the SQL dialects share for the reputation state: statements written once with numbered
// parameters (?1, ...), which sqlite/reputation_store.cc runs as they are and
// postgres/reputation_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text
// differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kListReputations[] =
    "SELECT user_name, score, updated_at_ms, events FROM reputation ORDER BY user_name";

}  // namespace gaia::store::sql
