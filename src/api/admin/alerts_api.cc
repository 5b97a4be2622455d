#include "api/admin/alerts_api.h"

#include <charconv>

#include "alerts/alert_json.h"
#include "alerts/metric_source.h"
#include "alerts/rule_json.h"
#include "api/admin/admin_support.h"
#include "api/api_pools.h"
#include "http/query.h"

namespace gaia::api::admin {
namespace {

constexpr int64_t kMaxPage = 1000;
constexpr size_t kMaxNoteBytes = 1000;

std::optional<uint64_t> positive(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0) return std::nullopt;
  return v;
}

std::variant<alerts::AlertRule, http::Response> body_rule(const http::Request& req) {
  auto parsed = parse_json(req);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  auto rule = alerts::rule_from_json(std::get<boost::json::value>(parsed));
  if (!rule.ok()) return status_response(rule.status());
  return std::move(rule.value());
}

boost::json::value rule_or_null(const std::optional<alerts::AlertRule>& rule) {
  return rule ? boost::json::value(alerts::rule_to_json(*rule)) : boost::json::value(nullptr);
}

boost::json::array metrics_json() {
  boost::json::array out;
  for (const alerts::MetricInfo& m : alerts::metric_catalog()) {
    boost::json::array scopes{"global"};
    if (m.per_user) scopes.emplace_back("user");
    if (m.per_type) scopes.emplace_back("type");
    out.push_back({{"name", m.name},
                   {"scopes", std::move(scopes)},
                   {"unit", m.unit},
                   {"description", m.description}});
  }
  return out;
}

http::Response list_alerts(const ApiContext& ctx, alerts::Evaluator& evaluator,
                           const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  store::AlertFilter f;
  if (auto v = http::query_param(req.query, "state")) {
    if (*v != "pending" && *v != "firing" && *v != "resolved") {
      return field_error("state", "must be pending, firing or resolved");
    }
    f.state = std::string(*v);
  }
  if (auto v = http::query_param(req.query, "severity")) {
    if (!alerts::parse_severity(*v))
      return field_error("severity", "must be info, warning or critical");
    f.severity = std::string(*v);
  }
  if (auto v = http::query_param(req.query, "rule")) {
    auto id = positive(*v);
    if (!id) return field_error("rule", "must be a rule id (a positive integer)");
    f.rule_id = *id;
  }
  if (auto v = http::query_param(req.query, "limit")) {
    auto n = positive(*v);
    if (!n || *n > static_cast<uint64_t>(kMaxPage)) {
      return field_error("limit", "must be an integer from 1 to 1000");
    }
    f.limit = static_cast<size_t>(*n);
  }
  if (auto v = http::query_param(req.query, "before")) {
    auto id = positive(*v);
    if (!id) return field_error("before", "must be an alert id (a positive integer)");
    f.before_id = *id;
  }
  auto rows = ctx.store.list_alerts(f);
  if (!rows.ok()) return store_failure(rows.status());
  boost::json::array out;
  for (store::StoredAlert& a : rows.value()) {
    evaluator.overlay(a);
    out.push_back(alerts::alert_to_json(a));
  }
  boost::json::value next = nullptr;
  if (rows->size() == f.limit) next = rows->back().id;
  return http::json_response(200, {{"alerts", std::move(out)}, {"next_before", next}});
}

// POST /api/admin/alerts/{id}/ack and /silence.
http::Response change_alert(const ApiContext& ctx, alerts::Evaluator& evaluator,
                            const http::Request& req, bool ack) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto id = positive(req.path_param("id"));
  if (!id) return field_error("id", "must be an alert id (a positive integer)");
  http::Request body_req = req;
  if (ack && body_req.body.empty()) body_req.body = "{}";
  auto parsed = JsonBody::parse(body_req);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  JsonBody& body = std::get<JsonBody>(parsed);
  auto before = ctx.store.find_alert(*id);
  if (!before.ok()) return store_failure(before.status());
  if (!before->has_value())
    return http::error_response(404, "not_found", "no alert " + std::to_string(*id));
  core::Result<store::StoredAlert> after = core::Status::internal("unset");
  if (ack) {
    auto note = body.string("note", false, kMaxNoteBytes);
    if (body.error()) return *body.error();
    after = evaluator.acknowledge(*id, caller.user_name, note.value_or(""));
  } else {
    auto until = body.integer("until_ms", true, 0, INT64_MAX);
    if (body.error()) return *body.error();
    after = evaluator.silence(*id, *until);
  }
  if (!after.ok()) return status_response(after.status());
  store::StoredAlert shown = after.value();
  evaluator.overlay(shown);
  boost::json::object out = alerts::alert_to_json(shown);
  audit_change(ctx, caller, ack ? "alert.ack" : "alert.silence", std::to_string(*id),
               alerts::alert_to_json(*before.value()), out);
  ctx.feed.publish("alert", out);
  return http::json_response(200, out);
}

http::Response list_rules(const ApiContext& ctx, alerts::Evaluator& evaluator,
                          const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array rules;
  for (const alerts::AlertRule& r : evaluator.rules()) rules.push_back(alerts::rule_to_json(r));
  return http::json_response(200, {{"rules", std::move(rules)}, {"metrics", metrics_json()}});
}

http::Response create_rule(const ApiContext& ctx, alerts::Evaluator& evaluator,
                           const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto rule = body_rule(req);
  if (auto* r = std::get_if<http::Response>(&rule)) return std::move(*r);
  auto made = evaluator.create_rule(std::move(std::get<alerts::AlertRule>(rule)));
  if (!made.ok()) return status_response(made.status());
  boost::json::object out = alerts::rule_to_json(made.value());
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  audit_change(ctx, caller, "alert.rule.create", std::to_string(made->id), nullptr, out);
  announce_change(ctx, "alert_rule", "create", made->id, caller);
  return http::json_response(201, out);
}

http::Response replace_rule(const ApiContext& ctx, alerts::Evaluator& evaluator,
                            const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto id = positive(req.path_param("id"));
  if (!id) return field_error("id", "must be a rule id (a positive integer)");
  auto rule = body_rule(req);
  if (auto* r = std::get_if<http::Response>(&rule)) return std::move(*r);
  auto before = evaluator.find_rule(*id);
  auto replaced = evaluator.replace_rule(*id, std::move(std::get<alerts::AlertRule>(rule)));
  if (!replaced.ok()) return status_response(replaced.status());
  boost::json::object out = alerts::rule_to_json(replaced.value());
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  audit_change(ctx, caller, "alert.rule.update", std::to_string(*id), rule_or_null(before), out);
  announce_change(ctx, "alert_rule", "update", *id, caller);
  return http::json_response(200, out);
}

http::Response delete_rule(const ApiContext& ctx, alerts::Evaluator& evaluator,
                           const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto id = positive(req.path_param("id"));
  if (!id) return field_error("id", "must be a rule id (a positive integer)");
  auto before = evaluator.find_rule(*id);
  if (core::Status s = evaluator.delete_rule(*id); !s.ok()) return status_response(s);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  audit_change(ctx, caller, "alert.rule.delete", std::to_string(*id), rule_or_null(before),
               nullptr);
  announce_change(ctx, "alert_rule", "delete", *id, caller);
  return http::json_response(200, {{"deleted", *id}});
}

}  // namespace

void add_alerts_api(http::Router& router, const ApiContext& ctx, alerts::Evaluator& evaluator) {
  alerts::Evaluator* e = &evaluator;
  router.add_blocking("GET", "/api/admin/alerts", kAdminPool,
                      [ctx, e](const http::Request& req) { return list_alerts(ctx, *e, req); });
  router.add_blocking(
      "POST", "/api/admin/alerts/{id}/ack", kAdminPool,
      [ctx, e](const http::Request& req) { return change_alert(ctx, *e, req, true); });
  router.add_blocking(
      "POST", "/api/admin/alerts/{id}/silence", kAdminPool,
      [ctx, e](const http::Request& req) { return change_alert(ctx, *e, req, false); });
  router.add_blocking("GET", "/api/admin/alerts/rules", kAdminPool,
                      [ctx, e](const http::Request& req) { return list_rules(ctx, *e, req); });
  router.add_blocking("POST", "/api/admin/alerts/rules", kAdminPool,
                      [ctx, e](const http::Request& req) { return create_rule(ctx, *e, req); });
  router.add_blocking("PUT", "/api/admin/alerts/rules/{id}", kAdminPool,
                      [ctx, e](const http::Request& req) { return replace_rule(ctx, *e, req); });
  router.add_blocking("DELETE", "/api/admin/alerts/rules/{id}", kAdminPool,
                      [ctx, e](const http::Request& req) { return delete_rule(ctx, *e, req); });
}

}  // namespace gaia::api::admin
