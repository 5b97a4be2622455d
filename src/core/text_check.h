#pragma once
// Whether a piece of outside text may be kept: valid UTF-8 (no overlong forms, no surrogates,
// nothing past U+10FFFF) without a NUL byte. Every text field from outside passes this at the
// edge, so no store, log or statement ever meets bytes it cannot hold. Pure; any thread.

#include <cstddef>
#include <string_view>

namespace gaia::core {

// The length of the well-formed UTF-8 sequence `text` starts with (1 to 4), or 0 when it does
// not start with one (or is empty).
size_t utf8_sequence_length(std::string_view text);

// Why `text` may not be kept ("contains a NUL byte", "is not valid UTF-8"), or nullptr.
const char* text_problem(std::string_view text);

}  // namespace gaia::core
