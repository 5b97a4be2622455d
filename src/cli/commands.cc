#include "cli/commands.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "cli/check_notices.h"
#include "cli/detail/api_call.h"
#include "cli/format.h"
#include "cli/interrupt.h"
#include "http/url.h"

namespace gaia::cli {
namespace {

using detail::Answer;
using detail::has_field;
using detail::int_field;
using detail::string_field;

HttpRequest json_request(std::string method, std::string path, const boost::json::object& body) {
  return {std::move(method), std::move(path), "", boost::json::serialize(body)};
}

// How much a limit allows: "500 per day", "60 per 1m", "4 at once".
std::string allowance(const boost::json::object& limit) {
  const std::string amount = std::to_string(int_field(limit, "limit"));
  const std::string kind = string_field(limit, "kind");
  if (kind == "rate") return amount + " per " + format_duration(int_field(limit, "window_ms"));
  if (kind == "calendar") return amount + " per " + string_field(limit, "period");
  if (kind == "concurrency") return amount + " at once";
  return amount;
}

// The limit's kind for the quota table: "calendar day", "rate 1m", "concurrency".
std::string kind_text(const boost::json::object& limit) {
  std::string kind = string_field(limit, "kind");
  if (kind == "rate") kind += " " + format_duration(int_field(limit, "window_ms"));
  if (kind == "calendar") kind += " " + string_field(limit, "period");
  if (string_field(limit, "enforcement") == "shadow") kind += " (shadow)";
  return kind;
}

// When a refused request may be retried: the body's milliseconds, else the header's seconds.
std::string retry_text(const boost::json::object& limit, const Answer& a, int64_t cost) {
  int64_t ms = int_field(limit, "retry_after_ms", 0);
  if (ms < 0) return "a cost of " + std::to_string(cost) + " can never fit this limit";
  if (ms == 0 && !a.retry_after.empty()) {
    int64_t seconds = 0;
    const std::string& h = a.retry_after;
    auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), seconds);
    if (ec == std::errc() && end == h.data() + h.size()) ms = seconds * 1000;
  }
  return ms > 0 ? "retry after " + format_duration(ms) : "";
}

void print_check(const Session& s, const Answer& a) {
  const bool allowed = a.status == 200;
  const int64_t cost = int_field(a.body, "cost", 1);
  // A refusal is a problem whose "type" is the problem's: the command type is "command_type".
  const std::string type =
      allowed ? string_field(a.body, "type") : string_field(a.body, "command_type");
  std::string line = std::string(allowed ? "allowed" : "refused") + ": " + type + " for " +
                     string_field(a.body, "user") + " (cost " + std::to_string(cost) + ")";
  if (const boost::json::value* v = a.body.if_contains("limit"); v != nullptr && v->is_object()) {
    const boost::json::object& limit = v->get_object();
    line += "; " + std::string(allowed ? "" : "limit ") + string_field(limit, "policy") + " (" +
            allowance(limit) + "): " + std::to_string(int_field(limit, "remaining")) + " left";
    if (allowed && int_field(limit, "reset_ms") > 0) {
      line += ", resets in " + format_duration(int_field(limit, "reset_ms"));
    }
    if (!allowed) {
      const std::string retry = retry_text(limit, a, cost);
      if (!retry.empty()) line += "; " + retry;
    }
  } else if (allowed) {
    line += "; no limit applies";
  }
  s.out << line << '\n';
  // Shadow limits only observe, but a user tuning rules wants to see them.
  if (const boost::json::value* v = a.body.if_contains("shadow"); v != nullptr && v->is_array()) {
    for (const boost::json::value& l : v->get_array()) {
      if (!l.is_object()) continue;
      s.out << "  shadow limit " << string_field(l.get_object(), "policy") << " ("
            << allowance(l.get_object()) << ") would refuse\n";
    }
  }
}

}  // namespace

int check(const Session& s, const CheckArgs& args) {
  boost::json::object body{{"type", args.type}};
  if (args.cost) body["cost"] = *args.cost;
  if (args.command) body["command"] = *args.command;
  if (args.user) body["user"] = *args.user;
  std::chrono::milliseconds waited{0};  // slept so far while held: the wait's own measure
  for (;;) {
    auto a = detail::call(s, json_request("POST", "/api/v1/check", body), {200, 429, 503});
    if (!a) return kExitError;
    if (a->status == 503) {
      const std::string error = string_field(a->body, "error");
      s.err << "gaia: " << string_field(a->body, "message") << '\n';
      if (error != "wait") return error == "overloaded" ? kExitRefused : kExitError;
      // Held at factor 0: ask again after wait_ms, for at most max_wait_ms in all.
      const boost::json::value* t = a->body.if_contains("throttle");
      const boost::json::object empty;
      const boost::json::object& throttle =
          t != nullptr && t->is_object() ? t->get_object() : empty;
      const auto wait =
          std::chrono::milliseconds(std::max<int64_t>(100, int_field(throttle, "wait_ms", 1000)));
      if (waited + wait > std::chrono::milliseconds(int_field(throttle, "max_wait_ms"))) {
        s.err << "gaia: gave up waiting for the load to fall\n";
        return kExitRefused;
      }
      s.err << "gaia: waiting " << wait.count() << " ms to ask again\n";
      if (Interrupt::sleep_for(wait, s.clock)) return 128 + Interrupt::signal();
      waited += wait;
      continue;
    }
    if (!s.json) print_check(s, *a);
    print_warnings(a->body, s.err);
    if (a->status != 200) return kExitRefused;
    // The caller runs the command once gaia check returns: the throttle's delay is waited here.
    if (const int64_t delay_ms = throttle_delay_ms(a->body); delay_ms > 0) {
      s.err << "gaia: " << throttle_text(a->body) << ": waiting " << delay_ms
            << " ms before running\n";
      if (Interrupt::sleep_for(std::chrono::milliseconds(delay_ms), s.clock))
        return 128 + Interrupt::signal();
    }
    return kExitOk;
  }
}

int quota(const Session& s) {
  auto a = detail::call(s, {"GET", "/api/v1/quota", "", ""}, {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  s.out << "user " << string_field(a->body, "user") << ", tier " << string_field(a->body, "tier")
        << '\n';
  const boost::json::value* quotas = a->body.if_contains("quotas");
  if (quotas == nullptr || !quotas->is_array() || quotas->get_array().empty()) {
    s.out << "no limits apply\n";
    return kExitOk;
  }
  Table table({"POLICY", "TYPE", "KIND", "USED/LIMIT", "REMAINING", "RESETS IN"});
  for (const boost::json::value& v : quotas->get_array()) {
    if (!v.is_object()) continue;
    const boost::json::object& l = v.get_object();
    const int64_t reset_ms = int_field(l, "reset_ms");
    table.add({string_field(l, "policy"), string_field(l, "type"), kind_text(l),
               std::to_string(int_field(l, "used")) + "/" + std::to_string(int_field(l, "limit")),
               std::to_string(int_field(l, "remaining")),
               reset_ms > 0 ? format_duration(reset_ms) : "-"});
  }
  table.print(s.out);
  return kExitOk;
}

int create_user(const Session& s, const std::string& name, const std::optional<std::string>& tier) {
  boost::json::object body{{"name", name}};
  if (tier) body["tier"] = *tier;
  auto a = detail::call(s, json_request("POST", "/api/admin/users", body), {201});
  if (!a) return kExitError;
  if (!s.json) {
    s.out << "created user " << string_field(a->body, "name") << " (id " << int_field(a->body, "id")
          << ", tier " << string_field(a->body, "tier") << ")\n";
  }
  return kExitOk;
}

int set_tier(const Session& s, const std::string& name, const std::string& tier) {
  auto a = detail::call(
      s,
      json_request("PUT", "/api/admin/users/" + http::escape_path_segment(name), {{"tier", tier}}),
      {200});
  if (!a) return kExitError;
  if (!s.json) {
    s.out << "user " << string_field(a->body, "name") << " is now tier "
          << string_field(a->body, "tier") << '\n';
  }
  return kExitOk;
}

int create_key(const Session& s, const KeyArgs& args) {
  boost::json::object body;
  if (args.role) body["role"] = *args.role;
  if (args.label) body["label"] = *args.label;
  auto a = detail::call(
      s,
      json_request("POST", "/api/admin/users/" + http::escape_path_segment(args.user) + "/keys",
                   body),
      {201});
  if (!a) return kExitError;
  if (!s.json) {
    const std::string label = string_field(a->body, "label");
    s.out << "created key " << int_field(a->body, "id") << " for " << args.user << " (role "
          << string_field(a->body, "role") << (label.empty() ? "" : ", label " + label)
          << "); it is shown only now:\n"
          << string_field(a->body, "key") << '\n';
  }
  return kExitOk;
}

int revoke_key(const Session& s, const std::string& id) {
  auto a = detail::call(s, {"DELETE", "/api/admin/keys/" + http::escape_path_segment(id), "", ""},
                        {200});
  if (!a) return kExitError;
  if (!s.json) {
    s.out << "revoked key " << int_field(a->body, "id") << " (role "
          << string_field(a->body, "role") << ", user id " << int_field(a->body, "user_id")
          << ")\n";
  }
  return kExitOk;
}

}  // namespace gaia::cli
