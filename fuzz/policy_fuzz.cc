// libFuzzer target: compile patterns made of fuzzed text (regex, glob, prefix), build a
// PatternSet with the default patterns, and decide a fuzzed command. Invalid patterns must be
// refused with a message; decisions must follow the combination rules.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "confirm/default_patterns.h"
#include "confirm/policy.h"
#include "fuzz_check.h"

using namespace gaia::confirm;
using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // The defaults compiled once; copies share their RE2 objects.
  static const std::vector<Pattern> defaults = [] {
    std::vector<Pattern> out;
    for (PatternSpec& spec : default_patterns()) {
      auto p = Pattern::compile(std::move(spec));
      check(p.ok());
      out.push_back(std::move(p.value()));
    }
    return out;
  }();
  std::vector<Pattern> patterns = defaults;
  int extra = in.ConsumeIntegralInRange<int>(0, 6);
  for (int i = 0; i < extra; ++i) {
    PatternSpec spec;
    spec.id = "fuzz-" + std::to_string(i);
    spec.name = "fuzzed";
    spec.match = static_cast<MatchKind>(in.ConsumeIntegralInRange<int>(0, 2));
    spec.pattern = in.ConsumeRandomLengthString(64);
    spec.decision = static_cast<Verdict>(in.ConsumeIntegralInRange<int>(0, 2));
    spec.priority = in.ConsumeIntegralInRange<int64_t>(-2000, 2000);
    spec.enabled = in.ConsumeBool();
    auto p = Pattern::compile(std::move(spec));
    if (!p.ok()) {
      check(p.status().message().starts_with("pattern: ") ||
            p.status().message().starts_with("priority: "));
      continue;
    }
    patterns.push_back(std::move(p.value()));
  }
  auto set = PatternSet::make(std::move(patterns));
  check(set.ok());
  std::string command = in.ConsumeRemainingBytesAsString();
  Context context{.command_type = "shell", .user = "fuzz", .tier = gaia::core::Tier::kDefault};
  Decision d = set->decide(command, context);

  bool any_deny = false, any_ask = false, command_unmatched = false;
  for (const PartDecision& p : d.parts) {
    any_deny |= p.decision == Verdict::kDeny;
    any_ask |= p.decision == Verdict::kAsk;
    command_unmatched |= p.kind == PartKind::kCommand && !p.decision;
    // A pattern or a guard decided it; a guard only ever asks.
    check(p.decision.has_value() == (p.pattern_id.has_value() || p.guard.has_value()));
    if (p.guard) check(p.decision == Verdict::kAsk);
  }
  check(d.unmatched == command_unmatched);
  if (any_deny) check(d.decision == Verdict::kDeny);
  if (!any_deny && (any_ask || command_unmatched)) check(d.decision == Verdict::kAsk);
  if (d.decision == Verdict::kApprove) check(!any_deny && !any_ask && !command_unmatched);
  check((d.source == Source::kPattern) == d.pattern_id.has_value());
  if (d.source == Source::kOption || d.source == Source::kEnvironment) {
    check(d.decision == Verdict::kAsk && !any_deny);
  }
  if (d.source == Source::kUnparsable) check(d.parts.empty() && d.decision == Verdict::kAsk);
  return 0;
}
