#include "api/admin/rules_api.h"

#include <charconv>

#include "api/admin/admin_support.h"
#include "api/api_pools.h"
#include "rules/rule_json.h"

namespace gaia::api::admin {
namespace {

// The rule in a request body, checked for what the rule set cannot know (that a user
// subject exists), or the 400 to send.
std::variant<core::Rule, http::Response> body_rule(const ApiContext& ctx,
                                                   const http::Request& req) {
  auto parsed = parse_json(req);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  const boost::json::value& v = std::get<boost::json::value>(parsed);
  if (!v.is_object()) return field_error("body", "must be a JSON object");
  if (const boost::json::value* name = v.get_object().if_contains("name")) {
    if (!name->is_null() && !name->is_string()) return field_error("name", "must be a string");
    if (name->is_string() && name->get_string().size() > 128) {
      return field_error("name", "must be at most 128 bytes");
    }
  }
  auto rule = rules::rule_from_json(v);
  if (auto* e = std::get_if<core::FieldError>(&rule)) return field_error(e->field, e->message);
  core::Rule& r = std::get<core::Rule>(rule);
  if (r.subject.kind == core::SubjectKind::kUser && !ctx.directory.user_by_id(r.subject.id)) {
    return field_error("subject.id", "no user with id " + std::to_string(r.subject.id));
  }
  return std::move(r);
}

// The stored rule id of the path, or the response: 409 for a built-in rule, 404 otherwise.
std::variant<uint64_t, http::Response> path_rule_id(const ApiContext& ctx,
                                                    const http::Request& req) {
  std::string_view text = req.path_param("id");
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc() && end == text.data() + text.size() && id > 0) return id;
  if (ctx.rules.is_builtin(text)) {
    return http::error_response(409, "read_only",
                                "built-in rule " + std::string(text) +
                                    " cannot be changed; create a rule for the same subject and "
                                    "command type to override it");
  }
  return http::error_response(404, "not_found", "no rule " + std::string(text));
}

http::Response list_rules(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array rules;
  for (const rules::BookRule& rule : ctx.rules.list()) rules.push_back(book_rule_json(rule));
  return http::json_response(200, {{"rules", std::move(rules)}});
}

http::Response create_rule(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto rule = body_rule(ctx, req);
  if (auto* r = std::get_if<http::Response>(&rule)) return std::move(*r);
  const int64_t now_ms = core::to_ms(ctx.clock.now().wall);
  auto created = ctx.rules.create(std::move(std::get<core::Rule>(rule)), now_ms);
  if (!created.ok()) return status_response(created.status());
  boost::json::object out = book_rule_json({created.value(), false, false, now_ms});
  audit_change(ctx, caller, "rule.create", std::to_string(created->id), nullptr, out);
  announce_change(ctx, "rule", "create", created->id, caller);
  return http::json_response(201, out);
}

http::Response update_rule(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto id = path_rule_id(ctx, req);
  if (auto* r = std::get_if<http::Response>(&id)) return std::move(*r);
  const uint64_t rule_id = std::get<uint64_t>(id);
  auto before = ctx.rules.find(rule_id);
  if (!before) return http::error_response(404, "not_found", "no rule " + std::to_string(rule_id));
  auto rule = body_rule(ctx, req);
  if (auto* r = std::get_if<http::Response>(&rule)) return std::move(*r);
  const int64_t now_ms = core::to_ms(ctx.clock.now().wall);
  auto updated = ctx.rules.update(rule_id, std::move(std::get<core::Rule>(rule)), now_ms);
  if (!updated.ok()) return status_response(updated.status());
  boost::json::object out = book_rule_json({updated.value(), false, false, now_ms});
  audit_change(ctx, caller, "rule.update", std::to_string(rule_id), book_rule_json(*before), out);
  announce_change(ctx, "rule", "update", rule_id, caller);
  return http::json_response(200, out);
}

http::Response delete_rule(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto id = path_rule_id(ctx, req);
  if (auto* r = std::get_if<http::Response>(&id)) return std::move(*r);
  const uint64_t rule_id = std::get<uint64_t>(id);
  auto before = ctx.rules.find(rule_id);
  auto removed = ctx.rules.remove(rule_id);
  if (!removed.ok()) return status_response(removed.status());
  audit_change(ctx, caller, "rule.delete", std::to_string(rule_id),
               before ? boost::json::value(book_rule_json(*before)) : nullptr, nullptr);
  announce_change(ctx, "rule", "delete", rule_id, caller);
  return http::json_response(200, {{"deleted", rule_id}});
}

}  // namespace

boost::json::object book_rule_json(const rules::BookRule& rule) {
  boost::json::object out;
  if (rule.builtin) {
    out["id"] = rule.rule.name;
    out["builtin"] = true;
    out["overridden"] = rule.overridden;
  } else {
    out["id"] = rule.rule.id;
    out["builtin"] = false;
    out["updated_at_ms"] = rule.updated_at_ms;
  }
  for (auto& [key, value] : rules::rule_to_json(rule.rule)) out[key] = value;
  return out;
}

void add_admin_rules_api(http::Router& router, ApiContext ctx) {
  router.add_blocking("GET", "/api/admin/quotas/config", kAdminPool,
                      [ctx](const http::Request& req) { return list_rules(ctx, req); });
  router.add_blocking("POST", "/api/admin/quotas/config", kAdminPool,
                      [ctx](const http::Request& req) { return create_rule(ctx, req); });
  router.add_blocking("PUT", "/api/admin/quotas/config/{id}", kAdminPool,
                      [ctx](const http::Request& req) { return update_rule(ctx, req); });
  router.add_blocking("DELETE", "/api/admin/quotas/config/{id}", kAdminPool,
                      [ctx](const http::Request& req) { return delete_rule(ctx, req); });
}

}  // namespace gaia::api::admin
