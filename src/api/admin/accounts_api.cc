#include "api/admin/accounts_api.h"

#include <charconv>

#include "api/admin/admin_support.h"
#include "api/api_pools.h"
#include "http/url.h"
#include "rules/rule_json.h"

namespace gaia::api::admin {
namespace {

constexpr size_t kMaxNameBytes = 128;

bool valid_user_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

// An optional boolean field: its value, nullopt when absent, or the 400 in `error`.
std::optional<bool> bool_field(JsonBody& body, std::string_view field,
                               std::optional<http::Response>& error) {
  const boost::json::value* v = body.value(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) return error = field_error(field, "must be a boolean"), std::nullopt;
  return v->as_bool();
}

// The key id in the path, or the 400 to send.
std::variant<uint64_t, http::Response> path_key_id(const http::Request& req) {
  std::string_view id_text = req.path_param("id");
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size()) {
    return field_error("id", "must be a key id (a positive integer)");
  }
  return id;
}

// A key change's answer: 404 for a key that is unknown or already revoked, 503 otherwise.
http::Response key_change_failure(const core::Status& s) {
  if (s.code() == core::StatusCode::kNotFound) {
    return http::error_response(404, "not_found", s.message());
  }
  return store_failure(s);
}

std::optional<core::Tier> tier_field(JsonBody& body, bool required,
                                     std::optional<http::Response>& error) {
  auto name = body.string("tier", required, 32);
  if (body.error()) return error = *body.error(), std::nullopt;
  if (!name) return core::Tier::kDefault;
  auto tier = core::parse_tier(*name);
  if (!tier) error = field_error("tier", "must be default, premium or enterprise");
  return tier;
}

http::Response create_user(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        auto name = body.string("name", true, kMaxNameBytes);
        std::optional<http::Response> error;
        auto tier = tier_field(body, false, error);
        if (body.error()) return *body.error();
        if (error) return std::move(*error);
        if (!valid_user_name(*name)) {
          return field_error("name", "use letters, digits and - _ . @ only");
        }
        auto user = ctx.directory.create_user(*name, *tier, core::to_ms(ctx.clock.now().wall));
        if (!user.ok()) {
          if (user.status().code() == core::StatusCode::kInvalidArgument) {
            return http::error_response(409, "conflict", user.status().message());
          }
          return store_failure(user.status());
        }
        boost::json::object out = user_json(user.value());
        audit_change(ctx, caller, "user.create", user->name, nullptr, out);
        announce_change(ctx, "user", "create", user->name, caller);
        return http::json_response(201, out);
      });
}

http::Response set_tier(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(ctx.directory, req, true,
                          [&](const identity::Caller& caller, JsonBody& body) {
                            std::optional<http::Response> error;
                            auto tier = tier_field(body, true, error);
                            if (error) return std::move(*error);
                            std::string name(req.path_param("name"));
                            auto before = ctx.directory.find_user(name);
                            if (!before)
                              return http::error_response(404, "not_found", "no user " + name);
                            auto user = ctx.directory.set_tier(name, *tier);
                            if (!user.ok()) return store_failure(user.status());
                            boost::json::object out = user_json(user.value());
                            audit_change(ctx, caller, "user.tier", name, user_json(*before), out);
                            announce_change(ctx, "user", "update", name, caller);
                            return http::json_response(200, out);
                          });
}

constexpr size_t kMaxUrlBytes = 2048;

// PATCH {webhook_url}: the user's own webhook, "" to clear it. Shown redacted, as it may
// carry a secret.
http::Response update_user(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        auto url = body.string("webhook_url", true, kMaxUrlBytes);
        if (body.error()) return *body.error();
        if (!url->empty()) {
          core::Result<http::Url> parsed = http::parse_url(*url);
          if (!parsed.ok()) return field_error("webhook_url", parsed.status().message());
          *url = std::move(parsed->text);  // normalised, as it will be sent to
        }
        std::string name(req.path_param("name"));
        auto before = ctx.directory.find_user(name);
        if (!before) return http::error_response(404, "not_found", "no user " + name);
        auto user = ctx.directory.set_webhook_url(name, *url);
        if (!user.ok()) return store_failure(user.status());
        boost::json::object out = user_json(user.value());
        audit_change(ctx, caller, "user.webhook", name, user_json(*before), out);
        announce_change(ctx, "user", "update", name, caller);
        return http::json_response(200, out);
      });
}

// The rules a new key's `limits` ask for, checked against the rules in force; the key id
// is filled in once the key exists.
std::variant<std::vector<core::Rule>, http::Response> key_rules(const ApiContext& ctx,
                                                                JsonBody& body) {
  const boost::json::value* limits = body.value("limits");
  if (limits == nullptr) return std::vector<core::Rule>{};
  auto rules = rules::rules_for_limits(*limits, {core::SubjectKind::kKey, core::Tier::kDefault, 1});
  if (auto* e = std::get_if<core::FieldError>(&rules)) return field_error(e->field, e->message);
  if (core::Status s = ctx.rules.validate(std::get<std::vector<core::Rule>>(rules)); !s.ok()) {
    return field_error("limits", s.message());
  }
  return std::move(std::get<std::vector<core::Rule>>(rules));
}

http::Response create_key(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        auto role_name = body.string("role", false, 16);
        auto label = body.string("label", false, kMaxNameBytes);
        std::optional<http::Response> error;
        auto agent = bool_field(body, "agent", error);
        if (body.error()) return *body.error();
        if (error) return std::move(*error);
        auto role = role_name ? store::parse_role(*role_name) : store::Role::kUser;
        if (!role) return field_error("role", "must be admin, service or user");
        auto limits = key_rules(ctx, body);
        if (auto* r = std::get_if<http::Response>(&limits)) return std::move(*r);
        std::vector<core::Rule>& rules = std::get<std::vector<core::Rule>>(limits);
        std::string name(req.path_param("name"));
        if (!ctx.directory.find_user(name))
          return http::error_response(404, "not_found", "no user " + name);
        const int64_t now_ms = core::to_ms(ctx.clock.now().wall);
        auto key = ctx.directory.create_key(name, *role, label.value_or(""), now_ms,
                                            agent.value_or(false));
        if (!key.ok()) return store_failure(key.status());
        boost::json::object out = key_json(key->record);
        if (!rules.empty()) {
          boost::json::array shown;
          for (core::Rule& rule : rules) {
            rule.subject.id = key->record.id;
            rule.name = "key-" + std::to_string(key->record.id);
            shown.push_back(rules::rule_to_json(rule));
          }
          if (core::Status s = ctx.rules.add(std::move(rules), now_ms); !s.ok()) {
            // A key without the limits it was asked with must not stay usable.
            (void)ctx.directory.revoke_key(key->record.id, now_ms);
            return store_failure(s);
          }
          out["rules"] = std::move(shown);
        }
        audit_change(ctx, caller, "key.create", name, nullptr, out);  // never the key itself
        announce_change(ctx, "user", "update", name, caller);
        out["key"] = key->key;
        return http::json_response(201, out);
      });
}

http::Response revoke_key(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto id = path_key_id(req);
  if (auto* r = std::get_if<http::Response>(&id)) return std::move(*r);
  auto revoked =
      ctx.directory.revoke_key(std::get<uint64_t>(id), core::to_ms(ctx.clock.now().wall));
  if (!revoked.ok()) return key_change_failure(revoked.status());
  boost::json::object out = key_json(revoked.value());
  audit_change(ctx, std::get<identity::Caller>(auth), "key.revoke", std::to_string(revoked->id),
               nullptr, out);
  if (auto owner = ctx.directory.user_by_id(revoked->user_id)) {
    announce_change(ctx, "user", "update", owner->name, std::get<identity::Caller>(auth));
  }
  return http::json_response(200, out);
}

// PATCH {role?, agent?}: what is absent stays as it is.
http::Response update_key(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        auto role_name = body.string("role", false, 16);
        std::optional<http::Response> error;
        auto agent = bool_field(body, "agent", error);
        if (body.error()) return *body.error();
        if (error) return std::move(*error);
        std::optional<store::Role> role;
        if (role_name) {
          role = store::parse_role(*role_name);
          if (!role) return field_error("role", "must be admin, service or user");
        }
        if (!role && !agent) return field_error("body", "give role, agent or both");
        auto id = path_key_id(req);
        if (auto* r = std::get_if<http::Response>(&id)) return std::move(*r);
        auto before = ctx.directory.caller_of(std::get<uint64_t>(id));
        if (!before) {
          return http::error_response(
              404, "not_found",
              "key " + std::to_string(std::get<uint64_t>(id)) + " is unknown or already revoked");
        }
        auto key = ctx.directory.update_key(before->key_id, role.value_or(before->role),
                                            agent.value_or(before->agent));
        if (!key.ok()) return key_change_failure(key.status());
        boost::json::object out = key_json(key.value());
        audit_change(
            ctx, caller, "key.update", std::to_string(key->id),
            boost::json::object{{"role", store::role_name(before->role)}, {"agent", before->agent}},
            out);
        announce_change(ctx, "user", "update", before->user_name, caller);
        return http::json_response(200, out);
      });
}

// The user "admin" is the one start-up gives the admin key to: it is not deleted.
constexpr std::string_view kBootstrapUser = "admin";

http::Response delete_user(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const std::string name(req.path_param("name"));
  if (name == kBootstrapUser) {
    return http::error_response(409, "conflict",
                                "user admin holds the start-up admin key: revoke its keys instead");
  }
  auto user = ctx.directory.delete_user(name, core::to_ms(ctx.clock.now().wall));
  if (!user.ok()) {
    if (user.status().code() == core::StatusCode::kNotFound) {
      return http::error_response(404, "not_found", user.status().message());
    }
    return store_failure(user.status());
  }
  audit_change(ctx, std::get<identity::Caller>(auth), "user.delete", name, user_json(user.value()),
               nullptr);
  announce_change(ctx, "user", "delete", name, std::get<identity::Caller>(auth));
  return http::json_response(200, {{"deleted", name}});
}

}  // namespace

void add_admin_api(http::Router& router, ApiContext ctx) {
  router.add_blocking("POST", "/api/admin/users", kAdminPool,
                      [ctx](const http::Request& req) { return create_user(ctx, req); });
  router.add_blocking("PUT", "/api/admin/users/{name}", kAdminPool,
                      [ctx](const http::Request& req) { return set_tier(ctx, req); });
  router.add_blocking("PATCH", "/api/admin/users/{name}", kAdminPool,
                      [ctx](const http::Request& req) { return update_user(ctx, req); });
  router.add_blocking("POST", "/api/admin/users/{name}/keys", kAdminPool,
                      [ctx](const http::Request& req) { return create_key(ctx, req); });
  router.add_blocking("DELETE", "/api/admin/users/{name}", kAdminPool,
                      [ctx](const http::Request& req) { return delete_user(ctx, req); });
  router.add_blocking("DELETE", "/api/admin/keys/{id}", kAdminPool,
                      [ctx](const http::Request& req) { return revoke_key(ctx, req); });
  router.add_blocking("PATCH", "/api/admin/keys/{id}", kAdminPool,
                      [ctx](const http::Request& req) { return update_key(ctx, req); });
}

}  // namespace gaia::api::admin
