// libFuzzer target: the rate limit service's reading of outside input. The first line is an
// rls_domains and an rls_trusted_peers setting; every other line is a descriptor entry
// `key=value` (as Envoy sends them), mapped in each parsed domain, and a peer name that the
// trusted peers are asked about. Nothing may crash, and a mapped ask must keep its invariants.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "rls/mapping.h"
#include "rls/trusted_peers.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view setting = input.substr(0, eol);
  auto domains = gaia::rls::parse_domains(setting);
  auto peers = gaia::rls::TrustedPeers::parse(setting);
  std::vector<gaia::rls::Entry> entries;
  std::vector<std::string_view> lines;
  for (size_t start = eol == std::string_view::npos ? input.size() : eol + 1;
       start < input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    lines.push_back(line);
    const size_t eq = line.find('=');
    entries.push_back(
        {line.substr(0, eq), eq == std::string_view::npos ? "" : line.substr(eq + 1)});
    start = end + 1;
  }
  std::vector<gaia::rls::Domain> all{{"gaia", {}}};
  if (domains.ok()) all.insert(all.end(), domains.value().begin(), domains.value().end());
  for (const gaia::rls::Domain& domain : all) {
    auto ask = gaia::rls::ask_of(domain, entries);
    if (const auto* a = std::get_if<gaia::rls::Ask>(&ask)) {
      check(!a->principal.empty() && !a->type.empty());
      check(a->principal_entry < entries.size());
    } else {
      check(!std::get<gaia::core::FieldError>(ask).field.empty());
    }
  }
  if (peers.ok()) {
    for (std::string_view line : lines) (void)peers.value().trusts(line);
  }
  return 0;
}
