#pragma once
// Small text helpers shared by the /proc and cgroup readers: whole-file reads and number
// parsing without exceptions or locale. Private to the monitor module.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/text.h"

namespace gaia::monitor::detail {

// The whole file, or kNotFound when it does not exist (or is not readable), kUnavailable on
// another read error. Kernel files report size 0, so this reads until end of file.
[[nodiscard]] core::Result<std::string> read_text(const std::filesystem::path& path);

// The file's first line without surrounding white space, or nullopt when unreadable.
std::optional<std::string> read_line(const std::filesystem::path& path);

// A decimal unsigned integer that fills all of `s`, or nullopt.
std::optional<uint64_t> parse_u64(std::string_view s);
// A decimal signed integer that fills all of `s`, or nullopt.
std::optional<int64_t> parse_i64(std::string_view s);
// A finite decimal number ("1.53") that fills all of `s`, or nullopt.
std::optional<double> parse_double(std::string_view s);

// `s` split on runs of spaces and tabs; no empty pieces.
std::vector<std::string_view> split_ws(std::string_view s);
// `s` split on every `sep`, empty pieces kept.
std::vector<std::string_view> split(std::string_view s, char sep);
// `s` split into lines; a trailing newline gives no empty last line.
std::vector<std::string_view> lines(std::string_view s);

// What the kernel's files pad values with; for core::trim(s, kWhitespace).
inline constexpr std::string_view kWhitespace = " \t\r\n";

}  // namespace gaia::monitor::detail
