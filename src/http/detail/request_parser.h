#pragma once
// RequestParser: Beast's HTTP/1.1 request parser, writing straight into a Request. Beast checks
// the syntax and the header and body limits; the callbacks below copy what it found, with no
// header container in between, and refuse what Beast lets through that readers disagree on
// (RFC 9112 section 3.2, RFC 9110 section 5.3): an HTTP/1.1 request without Host, and a
// field that is one value by definition (Host, Authorization, Content-Type, Origin) given
// twice, which one reader would take the first of and another the last; a transfer coding
// other than chunked alone. A connection parses
// every request into the same Request, so its strings and header list keep their capacity and a
// keep-alive request allocates nothing.

#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace gaia::http::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Clears `into` (keeping its capacity) and parses the next request into it. `into` must
  // outlive the parser.
  explicit RequestParser(Request& into);

  // 10 for HTTP/1.0, 11 for HTTP/1.1; valid once the header is parsed.
  int version() const { return version_; }
  // Why the header was refused ("the Host field is given more than once"), when the parse
  // failed on one of the checks above; else empty.
  std::string_view refusal() const { return refusal_; }
  // The status to refuse it with: 400, or 501 for a transfer coding not taken.
  unsigned refusal_status() const { return refusal_status_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code&) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code&) override;
  void on_header_impl(error_code&) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override;
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  Request& req_;
  std::size_t fields_ = 0;  // header fields parsed so far
  int version_ = 11;
  unsigned singletons_seen_ = 0;  // a bit for each one-value field met so far
  std::string refusal_;
  unsigned refusal_status_ = 400;
};

}  // namespace gaia::http::detail
