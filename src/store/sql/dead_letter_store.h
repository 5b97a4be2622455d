#pragma once
// What the SQL dialects share for the dead letters: statements written once with numbered
// parameters (?1, ...), run by sqlite/dead_letter_store.cc as they are and by
// postgres/dead_letter_store.cc as detail::postgres_text<...> ($1, ...).

namespace gaia::store::sql {

inline constexpr char kAddDeadLetter[] =
    "INSERT INTO dead_letters (at_ms, kind, row_text, error) VALUES (?1, ?2, ?3, ?4)";
inline constexpr char kListDeadLetters[] =
    "SELECT id, at_ms, kind, row_text, error FROM dead_letters ORDER BY id DESC LIMIT ?1";

}  // namespace gaia::store::sql
