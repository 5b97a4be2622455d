#include "cli/admin_lists.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "cli/detail/api_call.h"
#include "cli/format.h"
#include "http/url.h"

namespace gaia::cli {
namespace {

namespace json = boost::json;
using detail::int_field;
using detail::string_field;

// The array member `name` of `o`, or an empty one.
const json::array& array_of(const json::object& o, std::string_view name) {
  static const json::array kNone;
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_array() ? v->get_array() : kNone;
}

// "?a=1&b=x" from the pairs whose value is not empty.
std::string query(std::initializer_list<std::pair<const char*, std::string>> pairs) {
  std::string q;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    q += (q.empty() ? "?" : "&") + std::string(name) + "=" + http::percent_encode(value, "-._~");
  }
  return q;
}

std::string number_text(const json::value* v) {
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_double()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", v->get_double());
    return text;
  }
  return json::serialize(*v);
}

// A rule's subject: "global", "tier premium", "user 2", "key 3".
std::string subject_text(const json::object& rule) {
  const json::value* v = rule.if_contains("subject");
  if (v == nullptr || !v->is_object()) return "-";
  const json::object& subject = v->get_object();
  const std::string kind = string_field(subject, "kind");
  if (kind == "tier") return "tier " + string_field(subject, "tier");
  if (kind == "user" || kind == "key") return kind + " " + std::to_string(int_field(subject, "id"));
  return kind;
}

// A rule's limits: "500/day, 10/1m, 2 at once".
std::string limits_text(const json::object& rule) {
  std::string out;
  for (const json::value& v : array_of(rule, "limits")) {
    if (!v.is_object()) continue;
    const json::object& l = v.get_object();
    const std::string kind = string_field(l, "kind");
    std::string text = std::to_string(int_field(l, "amount"));
    if (kind == "rate") text += "/" + format_duration(int_field(l, "window_ms"));
    if (kind == "calendar") text += "/" + string_field(l, "period");
    if (kind == "concurrency") text += " at once";
    out += (out.empty() ? "" : ", ") + text;
  }
  return out.empty() ? "-" : out;
}

// The command as one short cell: control characters shown as spaces, cut at 60 characters.
std::string cell(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

}  // namespace

int list_users(const Session& s, const ListArgs& args) {
  auto a = detail::call(
      s,
      {"GET",
       "/api/admin/users" + query({{"q", args.query}, {"tier", args.tier}, {"limit", "1000"}}), "",
       ""},
      {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  const json::array& users = array_of(a->body, "users");
  if (users.empty()) {
    s.out << "no users\n";
    return kExitOk;
  }
  Table table({"NAME", "TIER", "ID", "CREATED"});
  for (const json::value& v : users) {
    if (!v.is_object()) continue;
    const json::object& u = v.get_object();
    table.add({string_field(u, "name"), string_field(u, "tier"), std::to_string(int_field(u, "id")),
               format_when(int_field(u, "created_at_ms"), args.now_ms)});
  }
  table.print(s.out);
  if (detail::has_field(a->body, "next_offset")) {
    s.out << "(the first " << users.size() << " shown; narrow with --name or --tier)\n";
  }
  return kExitOk;
}

int list_keys(const Session& s, const ListArgs& args) {
  auto a = detail::call(
      s, {"GET", "/api/admin/users/" + http::escape_path_segment(args.user), "", ""}, {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  const json::array& keys = array_of(a->body, "keys");
  if (keys.empty()) {
    s.out << "no keys for " << args.user << '\n';
    return kExitOk;
  }
  Table table({"ID", "ROLE", "LABEL", "CREATED", "REVOKED"});
  for (const json::value& v : keys) {
    if (!v.is_object()) continue;
    const json::object& k = v.get_object();
    const std::string label = string_field(k, "label");
    table.add({std::to_string(int_field(k, "id")), string_field(k, "role"),
               label.empty() ? "-" : cell(label),
               format_when(int_field(k, "created_at_ms"), args.now_ms),
               format_when(int_field(k, "revoked_at_ms"), args.now_ms)});
  }
  table.print(s.out);
  return kExitOk;
}

int list_rules(const Session& s, const ListArgs& args) {
  auto a = detail::call(s, {"GET", "/api/admin/quotas/config", "", ""}, {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  Table table({"ID", "NAME", "SUBJECT", "TYPE", "LIMITS", "ENFORCEMENT", "UPDATED"});
  for (const json::value& v : array_of(a->body, "rules")) {
    if (!v.is_object()) continue;
    const json::object& r = v.get_object();
    const json::value* id = r.if_contains("id");
    std::string enforcement = string_field(r, "enforcement");
    const json::value* overridden = r.if_contains("overridden");
    if (overridden != nullptr && overridden->is_bool() && overridden->get_bool()) {
      enforcement += " (overridden)";
    }
    const std::string type = string_field(r, "command_type");
    table.add({id != nullptr && id->is_string() ? std::string(id->get_string()) : number_text(id),
               string_field(r, "name"), subject_text(r), type.empty() ? "every" : type,
               limits_text(r), enforcement,
               format_when(int_field(r, "updated_at_ms"), args.now_ms)});
  }
  table.print(s.out);
  return kExitOk;
}

int list_alerts(const Session& s, const ListArgs& args) {
  auto a =
      detail::call(s, {"GET", "/api/admin/alerts" + query({{"state", args.state}}), "", ""}, {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  const json::array& alerts = array_of(a->body, "alerts");
  if (alerts.empty()) {
    s.out << "no alerts\n";
    return kExitOk;
  }
  Table table({"ID", "SEVERITY", "STATE", "RULE", "SCOPE", "VALUE/THRESHOLD", "STARTED"});
  for (const json::value& v : alerts) {
    if (!v.is_object()) continue;
    const json::object& al = v.get_object();
    std::string state = string_field(al, "state");
    if (detail::has_field(al, "ack")) state += ", acked";
    table.add(
        {std::to_string(int_field(al, "id")), string_field(al, "severity"), state,
         cell(string_field(al, "rule_name")), cell(string_field(al, "scope")),
         number_text(al.if_contains("value")) + "/" + number_text(al.if_contains("threshold")),
         format_when(int_field(al, "started_at_ms"), args.now_ms)});
  }
  table.print(s.out);
  return kExitOk;
}

int list_approvals(const Session& s, const ListArgs& args) {
  auto a = detail::call(s, {"GET", "/api/admin/approvals", "", ""}, {200});
  if (!a) return kExitError;
  if (s.json) return kExitOk;
  const json::array& approvals = array_of(a->body, "approvals");
  if (approvals.empty()) {
    s.out << "no commands wait for approval\n";
    return kExitOk;
  }
  Table table({"ID", "USER", "TYPE", "COMMAND", "REQUESTED", "EXPIRES"});
  for (const json::value& v : approvals) {
    if (!v.is_object()) continue;
    const json::object& p = v.get_object();
    table.add({std::to_string(int_field(p, "id")), string_field(p, "user"), string_field(p, "type"),
               cell(string_field(p, "command")),
               format_when(int_field(p, "requested_at_ms"), args.now_ms),
               format_when(int_field(p, "expires_at_ms"), args.now_ms)});
  }
  table.print(s.out);
  return kExitOk;
}

}  // namespace gaia::cli
