#pragma once
// Statement text both SQL dialects run, written once with SQLite's numbered parameters (?1,
// ?2, ...): SQLite runs it as it is; postgres_text<kText> is the same text with $1, $2, ...,
// rendered at compile time. Header-only.
//
// Example:
//   inline constexpr char kFindUser[] = "SELECT ... FROM users WHERE name = ?1";
//   db.prepare(kFindUser);                                        // SQLite
//   db.run("find_user", detail::postgres_text<kFindUser>, {...});  // PostgreSQL

#include <array>
#include <cstddef>

namespace gaia::store::detail {

// `sql` with every '?' that starts a parameter number replaced by '$'.
template <size_t N>
consteval std::array<char, N> dollar_parameters(const char (&sql)[N]) {
  std::array<char, N> out{};
  for (size_t i = 0; i < N; ++i) {
    const bool parameter = sql[i] == '?' && i + 1 < N && sql[i + 1] >= '0' && sql[i + 1] <= '9';
    out[i] = parameter ? '$' : sql[i];
  }
  return out;
}

template <const auto& kSql>
inline constexpr auto kPostgresText = dollar_parameters(kSql);

// The PostgreSQL form of `kSql`, a constant with static storage.
template <const auto& kSql>
inline constexpr const char* postgres_text = kPostgresText<kSql>.data();

}  // namespace gaia::store::detail
