#pragma once
// What the SQL dialects share for the confirmation patterns: statements written once with numbered
// parameters (?1, ...), which sqlite/pattern_store.cc runs as they are and
// postgres/pattern_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text differs
// stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kListPatterns[] =
    "SELECT id, body, updated_at_ms FROM confirm_patterns ORDER BY id";
inline constexpr char kPutPattern[] =
    "INSERT INTO confirm_patterns (id, body, updated_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (id) "
    "DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms";
inline constexpr char kDeletePattern[] = "DELETE FROM confirm_patterns WHERE id = ?1";
inline constexpr char kMarkPatternsSeeded[] =
    "INSERT INTO confirm_patterns_seeded (one, at_ms) VALUES (1, ?1) ON CONFLICT (one) DO NOTHING";
inline constexpr char kSeedPattern[] =
    "INSERT INTO confirm_patterns (id, body, updated_at_ms) VALUES (?1, ?2, ?3) ON CONFLICT (id) "
    "DO NOTHING";

}  // namespace gaia::store::sql
