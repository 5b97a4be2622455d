#pragma once
// ChunkedDecoder: the body of an HTTP/1.1 message sent with Transfer-Encoding: chunked
// (RFC 9112 section 7.1), decoded incrementally from bytes fed in pieces of any size, as they
// come off a socket. Chunk extensions and trailer fields are read and dropped. One decoder per
// message; not thread-safe.
//
// Example:
//   ChunkedDecoder decoder;
//   std::string body;
//   while (!decoder.done()) {
//     if (Status s = decoder.feed(read_some(), body); !s.ok()) return s;
//     consume(body); body.clear();
//   }

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gaia::cli {

class ChunkedDecoder {
 public:
  // Decodes `bytes`, appending the body data they carry to `*body`. Bytes after the end of
  // the message (done() turned true) are ignored. A malformed size line, chunk terminator or
  // trailer is internal, and so is every later call: the stream cannot be resynchronised.
  [[nodiscard]] core::Status feed(std::string_view bytes, std::string& body);

  // The last chunk and the trailer section have been read.
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State : uint8_t { kSize, kData, kDataEnd, kTrailer, kDone, kBroken };

  core::Status fail(std::string why);
  core::Status take_size_line();
  core::Status take_trailer_line();

  State state_ = State::kSize;
  uint64_t remaining_ = 0;  // data bytes left in the current chunk
  std::string line_;        // a size, chunk-end or trailer line read so far
};

}  // namespace gaia::cli
