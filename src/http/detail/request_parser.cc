#include "http/detail/request_parser.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include "core/text.h"

namespace gaia::http::detail {

namespace bhttp = boost::beast::http;

namespace {

// The fields a request may give once only, each with its bit in RequestParser's mask. Not
// Cookie: a proxy may pass an HTTP/2 client's cookies on several lines (nginx before 1.23
// does), and Request::cookie() reads them all. Transfer-Encoding is a list, but of the one
// coding taken (below) once only.
unsigned singleton_bit(bhttp::field f) {
  switch (f) {
    case bhttp::field::host:
      return 1u << 0;
    case bhttp::field::authorization:
      return 1u << 1;
    case bhttp::field::content_type:
      return 1u << 2;
    case bhttp::field::origin:
      return 1u << 3;
    case bhttp::field::transfer_encoding:
      return 1u << 4;
    default:
      return 0;
  }
}

}  // namespace

RequestParser::RequestParser(Request& into) : req_(into) {
  req_.method.clear();
  req_.path.clear();
  req_.query.clear();
  req_.body.clear();
  req_.path_params.clear();
}

void RequestParser::on_request_impl(bhttp::verb, string_view method, string_view target,
                                    int version, error_code&) {
  version_ = version;
  req_.method.assign(method.data(), method.size());
  const std::size_t q = target.find('?');
  const string_view path = target.substr(0, q);
  req_.path.assign(path.data(), path.size());
  if (q != string_view::npos) req_.query.assign(target.data() + q + 1, target.size() - q - 1);
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = bhttp::error::bad_version;  // unreachable: this parser reads requests only
}

void RequestParser::on_field_impl(bhttp::field f, string_view name, string_view value,
                                  error_code& ec) {
  if (const unsigned bit = singleton_bit(f); bit != 0) {
    if ((singletons_seen_ & bit) != 0) {
      refusal_ = "the " + std::string(bhttp::to_string(f)) + " field is given more than once";
      ec = bhttp::error::bad_field;
      return;
    }
    singletons_seen_ |= bit;
  }
  // Chunked alone: what another coding before it would make of the body (and where a proxy
  // in front would end it) is not Gaia's to guess. RFC 9112 section 6.1: 501.
  if (f == bhttp::field::transfer_encoding && !core::iequals(core::trim(value), "chunked")) {
    refusal_ = "only the chunked transfer coding is taken";
    refusal_status_ = 501;
    ec = bhttp::error::bad_transfer_encoding;
    return;
  }
  if (fields_ < req_.headers.size()) {
    Header& h = req_.headers[fields_];
    h.name.assign(name.data(), name.size());
    h.value.assign(value.data(), value.size());
  } else {
    req_.headers.push_back({std::string(name), std::string(value)});
  }
  ++fields_;
}

void RequestParser::on_header_impl(error_code& ec) {
  req_.headers.resize(fields_);
  if (version_ >= 11 && (singletons_seen_ & singleton_bit(bhttp::field::host)) == 0) {
    refusal_ = "an HTTP/1.1 request must give the Host field";
    ec = bhttp::error::bad_field;
  }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  // The body limit was checked against the length before this is called.
  if (length) req_.body.reserve(static_cast<std::size_t>(*length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  req_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  req_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace gaia::http::detail
