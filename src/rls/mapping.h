#pragma once
// How Envoy's rate limit descriptors map to Gaia's checks (docs/envoy.md).
//
// A request's `domain` selects a Domain. Each descriptor is one check; its entries name the
// principal (`api_key`: a Gaia API key, or `user`: a user name) and the command type (`type`,
// or an entry a TypeRule of the domain maps to a type). The domains come from the rls_domains
// setting, one per `;`:
//
//   gaia; edge: generic_key=shell, path:/v1/build=test
//
// names the domains `gaia` (entries `api_key`/`user` and `type` only) and `edge`, where an
// entry with key `generic_key` (any value) means type `shell`, and an entry `path` with value
// `/v1/build` means type `test`. A `type` entry always wins over the rules; otherwise the
// first rule (in the order written) that an entry matches decides. Keys and type names are
// words ([A-Za-z0-9_.-]); a value may hold anything but `,` `;` and `=`.
//
// Pure functions and values; any thread.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/field_error.h"
#include "core/status.h"

namespace gaia::rls {

// An entry (key, and value unless any value matches) that stands for a command type.
struct TypeRule {
  std::string key;
  std::optional<std::string> value;
  std::string type;
};

struct Domain {
  std::string name;
  std::vector<TypeRule> type_rules;
};

// The domains `text` describes (syntax above), or kInvalidArgument saying what is wrong.
core::Result<std::vector<Domain>> parse_domains(std::string_view text);

// The domain named `name` in `domains`, or nullptr.
const Domain* find_domain(std::span<const Domain> domains, std::string_view name);

// One descriptor entry, as the wire has it.
struct Entry {
  std::string_view key;
  std::string_view value;
};

enum class PrincipalKind { kApiKey, kUser };

// What one descriptor asks: whose check, and of which type (by name). Views into the entries
// and the domain, which must outlive it.
struct Ask {
  PrincipalKind kind = PrincipalKind::kApiKey;
  std::string_view principal;  // the key, or the user's name
  std::string_view type;
  size_t principal_entry = 0;  // the entries' indexes, for error messages
  size_t type_entry = 0;
};

// The ask of a descriptor with `entries` in `domain`, or the problem, its field relative to the
// descriptor ("entries[2].value"). An `api_key` value may be a whole Bearer credential
// (`Bearer <key>`, the scheme in any case), as Envoy copies it from an Authorization header.
std::variant<Ask, core::FieldError> ask_of(const Domain& domain, std::span<const Entry> entries);

}  // namespace gaia::rls
