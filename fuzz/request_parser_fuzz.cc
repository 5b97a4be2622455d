// libFuzzer target: the HTTP request parser on arbitrary bytes, as a client may send them,
// split into pieces as reads may deliver them, several requests in a row into one reused
// Request. It must never crash, hang or grow without bound, and never pass its limits.

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "http/detail/request_parser.h"

namespace {

constexpr std::size_t kHeaderLimit = 1024;
constexpr std::size_t kBodyLimit = 2048;

using gaia::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte sets the largest piece a read delivers.
  const std::size_t piece = 1 + data[0] % 64;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  gaia::http::Request req;
  for (int message = 0; message < 4 && !wire.empty(); ++message) {
    gaia::http::detail::RequestParser parser(req);
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    boost::beast::error_code ec;
    std::string_view pending;  // bytes given but not yet consumed, as a read buffer keeps them
    while (!parser.is_done() && !ec) {
      const std::size_t take = std::min(piece, wire.size());
      if (take == 0) break;  // the input ends mid-message
      pending =
          std::string_view(pending.data() ? pending.data() : wire.data(), pending.size() + take);
      wire.remove_prefix(take);
      const std::size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
      if (ec == boost::beast::http::error::need_more) ec = {};
      pending.remove_prefix(used);
    }
    if (ec || !parser.is_done()) return 0;
    check(req.body.size() <= kBodyLimit);
    check(!req.method.empty());
    // What the parser did not consume belongs to the next message.
    wire = std::string_view(pending.data(), pending.size() + wire.size());
  }
  return 0;
}
