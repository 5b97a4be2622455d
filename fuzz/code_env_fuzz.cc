// libFuzzer target: fuzzed variable names through judge_env and the policy. Findings must be
// table entries, each once, in input order; a command line assigning a found name must be
// asked about (never approved), even under a pattern approving everything.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "confirm/code_env.h"
#include "confirm/policy.h"
#include "fuzz_check.h"

using namespace gaia::confirm;
using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const PatternSet approve_all = [] {
    PatternSpec spec;
    spec.id = "approve-all";
    spec.name = "everything";
    spec.pattern = ".";
    spec.decision = Verdict::kApprove;
    auto set = PatternSet::make({spec});
    check(set.ok());
    return std::move(set.value());
  }();
  std::vector<std::string> names;
  const int n = in.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < n; ++i) names.push_back(in.ConsumeRandomLengthString(32));

  const std::vector<CodeEnvFinding> found = judge_env(names);
  size_t at = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    const CodeEnvEntry* e = code_env_entry(found[i].name);
    check(e != nullptr && e->what == found[i].what);
    for (size_t j = 0; j < i; ++j) check(found[j].name != found[i].name);
    while (at < names.size() && names[at] != found[i].name) ++at;
    check(at < names.size());  // in input order
  }
  if (!found.empty()) check(!describe(found).empty());

  // A shell assignment of a found (hence valid-looking) name before an approved command.
  for (const CodeEnvFinding& f : found) {
    bool identifier = !f.name.empty() && !(f.name[0] >= '0' && f.name[0] <= '9');
    for (char c : f.name) {
      identifier = identifier && (c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9'));
    }
    if (!identifier) continue;
    Decision d = approve_all.decide(f.name + "=x ls", {});
    check(d.decision == Verdict::kAsk && d.source == Source::kEnvironment);
  }
  return 0;
}
