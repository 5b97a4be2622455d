#include "api/admin/types_api.h"

#include "api/admin/admin_support.h"
#include "api/admin/rules_api.h"
#include "api/api_pools.h"
#include "rules/rule_json.h"

namespace gaia::api::admin {
namespace {

constexpr size_t kMaxLimitsPerTier = 16;

boost::json::object type_json(const rules::BookType& t) {
  boost::json::object out{{"name", t.name}, {"description", t.description}, {"builtin", t.builtin}};
  if (!t.builtin) out["updated_at_ms"] = t.updated_at_ms;
  return out;
}

bool type_exists(const ApiContext& ctx, std::string_view name) {
  for (const rules::BookType& t : ctx.rules.types()) {
    if (t.name == name) return true;
  }
  return false;
}

// "limits": {"default":[limit,...], "premium":[...]}: one tier rule of type `type` per tier
// named, or the 400 naming the field ("limits.premium[1].period").
std::variant<std::vector<core::Rule>, http::Response> tier_rules(const boost::json::value* limits,
                                                                 const std::string& type) {
  std::vector<core::Rule> rules;
  if (limits == nullptr) return rules;
  if (!limits->is_object()) return field_error("limits", "must be an object of tier: [limits]");
  for (const auto& [tier_name, list] : limits->get_object()) {
    const std::string at = "limits." + std::string(tier_name);
    auto tier = core::parse_tier(tier_name);
    if (!tier) return field_error(at, "not a tier: use default, premium or enterprise");
    if (!list.is_array() || list.get_array().empty() ||
        list.get_array().size() > kMaxLimitsPerTier) {
      return field_error(at, "must be an array of 1 to 16 limits");
    }
    core::Rule rule;
    rule.name = type + "-" + std::string(tier_name);
    rule.subject = {core::SubjectKind::kTier, *tier, 0};
    rule.command_type = type;
    for (size_t i = 0; i < list.get_array().size(); ++i) {
      auto limit = rules::limit_from_json(list.get_array()[i], at + "[" + std::to_string(i) + "]");
      if (auto* e = std::get_if<core::FieldError>(&limit)) return field_error(e->field, e->message);
      rule.limits.push_back(std::get<core::LimitSpec>(limit));
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

http::Response list_types(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array types;
  for (const rules::BookType& t : ctx.rules.types()) types.push_back(type_json(t));
  return http::json_response(200, {{"types", std::move(types)}});
}

http::Response create_type(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        auto name = body.string("name", true, 64);
        auto description = body.string("description", false, 1024);
        if (body.error()) return *body.error();
        auto rules = tier_rules(body.value("limits"), *name);
        if (auto* r = std::get_if<http::Response>(&rules)) return std::move(*r);
        if (type_exists(ctx, *name)) {
          return http::error_response(409, "conflict",
                                      "a command type named \"" + *name + "\" exists");
        }
        const int64_t now_ms = core::to_ms(ctx.clock.now().wall);
        auto added =
            ctx.rules.add_type(*name, description.value_or(""),
                               std::move(std::get<std::vector<core::Rule>>(rules)), now_ms);
        if (!added.ok()) return status_response(added.status());
        boost::json::object out = type_json(added.value());
        boost::json::array made;
        for (const rules::BookRule& r : ctx.rules.list()) {
          if (!r.builtin && r.rule.command_type == *name) made.push_back(book_rule_json(r));
        }
        out["rules"] = std::move(made);
        audit_change(ctx, caller, "type.create", *name, nullptr, out);
        announce_change(ctx, "type", "create", *name, caller);
        return http::json_response(201, out);
      });
}

http::Response delete_type(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  const std::string name(req.path_param("name"));
  for (const rules::BookType& t : ctx.rules.types()) {
    if (t.name == name && t.builtin) {
      return http::error_response(409, "read_only",
                                  "built-in command type " + name + " cannot be removed");
    }
  }
  auto removed = ctx.rules.remove_type(name, core::to_ms(ctx.clock.now().wall));
  if (!removed.ok()) return status_response(removed.status());
  boost::json::array rules;
  for (const core::Rule& r : removed.value()) rules.push_back(r.id);
  boost::json::object out{{"deleted", name}, {"rules_removed", std::move(rules)}};
  audit_change(ctx, caller, "type.delete", name, boost::json::object{{"name", name}}, nullptr);
  announce_change(ctx, "type", "delete", name, caller);
  return http::json_response(200, out);
}

http::Response list_tiers(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const core::TierScaling& scaling = ctx.limiter.rules()->tiers();
  boost::json::array tiers;
  for (int i = 0; i < core::kTierCount; ++i) {
    const auto tier = static_cast<core::Tier>(i);
    boost::json::object t{{"name", core::tier_name(tier)}};
    switch (tier) {
      case core::Tier::kDefault:
        t["quota_factor"] = 1;
        t["priority"] = false;
        break;
      case core::Tier::kPremium:
        t["quota_factor"] = scaling.premium_factor;
        t["priority"] = false;
        break;
      case core::Tier::kEnterprise:
        t["quota_factor"] =
            scaling.enterprise_unlimited ? boost::json::value(nullptr) : boost::json::value(1);
        t["priority"] = true;
        break;
    }
    tiers.push_back(std::move(t));
  }
  return http::json_response(200, {{"tiers", std::move(tiers)}});
}

}  // namespace

void add_admin_types_api(http::Router& router, ApiContext ctx) {
  router.add_blocking("GET", "/api/admin/types", kAdminPool,
                      [ctx](const http::Request& req) { return list_types(ctx, req); });
  router.add_blocking("POST", "/api/admin/types", kAdminPool,
                      [ctx](const http::Request& req) { return create_type(ctx, req); });
  router.add_blocking("DELETE", "/api/admin/types/{name}", kAdminPool,
                      [ctx](const http::Request& req) { return delete_type(ctx, req); });
  router.add_blocking("GET", "/api/admin/tiers", kAdminPool,
                      [ctx](const http::Request& req) { return list_tiers(ctx, req); });
}

}  // namespace gaia::api::admin
