#include "cli/detail/api_call.h"

#include <algorithm>

namespace gaia::cli::detail {
namespace {

// The server's {error, field?, message} body as one line.
std::string error_line(int status, const boost::json::object* body) {
  const std::string code = "HTTP " + std::to_string(status);
  if (body == nullptr) return "the server answered " + code + " without a JSON body";
  const std::string field = string_field(*body, "field");
  const std::string message = string_field(*body, "message");
  const std::string error = string_field(*body, "error");
  if (!field.empty()) return field + ": " + message;
  if (status == 401)
    return "the server did not accept the API key (HTTP 401); check GAIA_KEY or --key";
  std::string line = (message.empty() ? "the server answered " + code : message) + " (" + code +
                     (error.empty() ? "" : " " + error) + ")";
  return line;
}

}  // namespace

std::optional<Answer> call(const Session& s, HttpRequest req, std::initializer_list<int> expected) {
  req.bearer_key = s.key;
  core::Result<HttpResponse> sent = s.client.send(req);
  if (!sent.ok()) {
    s.err << "gaia: " << sent.status().message() << '\n';
    return std::nullopt;
  }
  const HttpResponse& r = sent.value();
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(r.body, ec);
  const boost::json::object* object = !ec && body.is_object() ? &body.get_object() : nullptr;
  // Under --json a script reads stdout, so it gets the server's body whatever the status.
  if (s.json && object != nullptr) {
    s.out << r.body << (r.body.ends_with('\n') ? "" : "\n");
  }
  if (std::find(expected.begin(), expected.end(), r.status) == expected.end()) {
    s.err << "gaia: " << error_line(r.status, object) << '\n';
    return std::nullopt;
  }
  if (object == nullptr) {
    s.err << "gaia: the server answered HTTP " << r.status << " with a body that is not JSON\n";
    return std::nullopt;
  }
  return Answer{r.status, std::move(body.get_object()), r.header("retry-after")};
}

std::string string_field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t int_field(const boost::json::object& o, std::string_view name, int64_t absent) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr) return absent;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX));
  return absent;
}

bool has_field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && !v->is_null();
}

}  // namespace gaia::cli::detail
