#include "cli/chunked_decoder.h"

#include <algorithm>

#include "core/text.h"

namespace gaia::cli {
namespace {

// Longer size or trailer lines are not from a server of ours; refuse them rather than buffer
// without bound.
constexpr size_t kMaxLineBytes = 8 * 1024;
// 15 hex digits: sizes up to 2^60, far past any body, and no overflow while parsing.
constexpr size_t kMaxSizeDigits = 15;

}  // namespace

core::Status ChunkedDecoder::fail(std::string why) {
  state_ = State::kBroken;
  line_.clear();
  return core::Status::internal("bad chunked body: " + why);
}

core::Status ChunkedDecoder::take_size_line() {
  // chunk-size [ chunk-ext ] CRLF; the extension starts at ';' (after optional whitespace).
  std::string_view line = line_;
  size_t digits = 0;
  uint64_t size = 0;
  while (digits < line.size() && core::hex_value(line[digits]) >= 0) {
    if (digits == kMaxSizeDigits) return fail("chunk size too large");
    size = size * 16 + static_cast<uint64_t>(core::hex_value(line[digits]));
    ++digits;
  }
  if (digits == 0) return fail("chunk size missing");
  std::string_view rest = line.substr(digits);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() != ';') return fail("junk after the chunk size");
  line_.clear();
  remaining_ = size;
  state_ = size == 0 ? State::kTrailer : State::kData;
  return {};
}

core::Status ChunkedDecoder::take_trailer_line() {
  // An empty line ends the message; any other is a trailer field, which we do not use.
  const bool end = line_.empty();
  if (!end && line_.find(':') == std::string::npos) return fail("bad trailer field");
  line_.clear();
  if (end) state_ = State::kDone;
  return {};
}

core::Status ChunkedDecoder::feed(std::string_view bytes, std::string& body) {
  if (state_ == State::kBroken) return core::Status::internal("bad chunked body");
  while (!bytes.empty() && state_ != State::kDone) {
    if (state_ == State::kData) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
      body.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kDataEnd;
      continue;
    }
    // Every other state reads one line ending in CRLF.
    const char c = bytes.front();
    bytes.remove_prefix(1);
    if (c != '\n') {
      if (line_.size() == kMaxLineBytes) return fail("line too long");
      line_ += c;
      continue;
    }
    if (line_.empty() || line_.back() != '\r') return fail("line not ended by CRLF");
    line_.pop_back();
    core::Status s;
    switch (state_) {
      case State::kSize:
        s = take_size_line();
        break;
      case State::kDataEnd:
        if (!line_.empty()) return fail("chunk longer than its size");
        state_ = State::kSize;
        break;
      case State::kTrailer:
        s = take_trailer_line();
        break;
      default:
        break;
    }
    if (!s.ok()) return s;
  }
  return {};
}

}  // namespace gaia::cli
