// libFuzzer target: an argv of fuzzed words (the tool chosen among those of the option table)
// through find_forbidden_use. It must not crash, and a finding must hold: the tool has rules,
// the finding names it, and adding a forbidden option before `--` is always found.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "confirm/tool_options.h"
#include "fuzz_check.h"

using namespace gaia::confirm;
using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const std::vector<ToolOptionRow> rows = tool_option_rows();
  const ToolOptionRow& row = rows[in.ConsumeIntegralInRange<size_t>(0, rows.size() - 1)];
  std::vector<std::string> argv = {std::string(row.tool)};
  if (in.ConsumeBool()) argv[0] = "/usr/bin/" + argv[0];
  const int words = in.ConsumeIntegralInRange<int>(0, 12);
  for (int i = 0; i < words; ++i) argv.push_back(in.ConsumeRandomLengthString(24));
  const bool added = in.ConsumeBool();

  auto use = find_forbidden_use(argv, added);
  check(!added || use.has_value());
  if (use) check(use->tool == row.tool && has_option_rules(use->tool) && !use->reason().empty());

  // The same words after the row's own option: still refused, whatever follows. (git's global
  // options only count before its subcommand, so they go first.)
  std::vector<std::string> with = {argv[0], std::string(row.option), "x"};
  if (row.tool == "git" &&
      !(row.option == "-c" || row.option == "--config-env" || row.option == "--exec-path")) {
    with.insert(with.begin() + 1, "log");
  }
  with.insert(with.end(), argv.begin() + 1, argv.end());
  check(find_forbidden_use(with, false).has_value());
  return 0;
}
