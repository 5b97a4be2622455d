#include "api/admin/users_api.h"

#include <algorithm>

#include "api/admin/admin_support.h"
#include "api/admin/rules_api.h"
#include "api/api_pools.h"
#include "api/throttle_json.h"
#include "core/text.h"
#include "http/ratelimit_fields.h"
#include "rules/rule_json.h"

namespace gaia::api::admin {
namespace {

constexpr int64_t kMaxPage = 1000;
constexpr int64_t kDefaultPage = 100;

bool contains_any_case(std::string_view text, std::string_view part) {
  return std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
           return core::ascii_lower(a) == core::ascii_lower(b);
         }) != text.end();
}

boost::json::array rules_json(const std::vector<core::Rule>& rules) {
  boost::json::array out;
  for (const core::Rule& r : rules) out.push_back(book_rule_json({r, false, false, 0}));
  return out;
}

// The user named by the path, or the 404 to send.
std::variant<store::User, http::Response> path_user(const ApiContext& ctx,
                                                    const http::Request& req) {
  std::string name(req.path_param("name"));
  auto user = ctx.directory.find_user(name);
  if (!user) return http::error_response(404, "not_found", "no user " + name);
  return *user;
}

exec::QuotaView user_quota(const ApiContext& ctx, const store::User& user) {
  return quota_view(ctx, {user.id, 0, user.tier, ctx.directory.limit_scale(user.id)});
}

boost::json::array quota_json(const ApiContext& ctx, const exec::QuotaView& view) {
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  boost::json::array quota;
  for (const core::QuotaLine& line : view.lines) {
    quota.push_back(http::limit_json(line.state, *rules));
  }
  return quota;
}

http::Response list_users(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  QueryReader q(req.query);
  auto part = q.text("q");
  auto tier_name = q.text("tier", 32);
  auto limit = q.integer("limit", 1, kMaxPage);
  auto offset = q.integer("offset", 0, INT32_MAX);
  if (q.error()) return *q.error();
  std::optional<core::Tier> tier;
  if (tier_name) {
    tier = core::parse_tier(*tier_name);
    if (!tier) return field_error("tier", "must be default, premium or enterprise");
  }
  auto all = ctx.store.list_users();
  if (!all.ok()) return store_failure(all.status());
  std::vector<store::User> users;
  for (store::User& u : all.value()) {
    if (part && !contains_any_case(u.name, *part)) continue;
    if (tier && u.tier != *tier) continue;
    users.push_back(std::move(u));
  }
  std::sort(users.begin(), users.end(),
            [](const store::User& a, const store::User& b) { return a.name < b.name; });
  const size_t first = std::min(users.size(), static_cast<size_t>(offset.value_or(0)));
  const size_t last =
      std::min(users.size(), first + static_cast<size_t>(limit.value_or(kDefaultPage)));
  boost::json::array out;
  for (size_t i = first; i < last; ++i) out.push_back(user_json(users[i]));
  boost::json::value next = nullptr;
  if (last < users.size()) next = last;
  return http::json_response(200, {{"users", std::move(out)}, {"next_offset", next}});
}

http::Response show_user(const ApiContext& ctx, reputation::ReputationBook& reputation,
                         const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto found = path_user(ctx, req);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::User& user = std::get<store::User>(found);
  auto keys = ctx.store.list_keys();
  if (!keys.ok()) return store_failure(keys.status());
  boost::json::array key_list;
  for (const store::ApiKey& k : keys.value()) {
    if (k.user_id == user.id) key_list.push_back(key_json(k));
  }
  const exec::QuotaView quota = user_quota(ctx, user);
  boost::json::object out{{"user", user_json(user)},
                          {"keys", std::move(key_list)},
                          {"quota", quota_json(ctx, quota)},
                          {"counters", exec::source_name(quota.source)},
                          {"reputation", reputation.to_json(user.name)},
                          {"overrides", rules_json(ctx.rules.user_rules(user.id))}};
  if (ctx.load != nullptr) {
    if (auto throttle = ctx.load->throttle(user.tier)) out["throttle"] = throttle_json(*throttle);
  }
  return http::json_response(200, out);
}

http::Response put_overrides(const ApiContext& ctx, const http::Request& req) {
  return with_json_caller(
      ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
        const boost::json::value* limits = body.value("limits");
        if (limits == nullptr) return field_error("limits", "is required (an empty array clears)");
        auto found = path_user(ctx, req);
        if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
        const store::User& user = std::get<store::User>(found);
        auto parsed = rules::rules_for_limits(
            *limits, {core::SubjectKind::kUser, core::Tier::kDefault, user.id});
        if (auto* e = std::get_if<core::FieldError>(&parsed))
          return field_error(e->field, e->message);
        std::vector<core::Rule>& rules = std::get<std::vector<core::Rule>>(parsed);
        for (core::Rule& r : rules) r.name = "user-" + user.name;
        const boost::json::array before = rules_json(ctx.rules.user_rules(user.id));
        auto replaced = ctx.rules.replace_user_rules(user.id, std::move(rules),
                                                     core::to_ms(ctx.clock.now().wall));
        if (!replaced.ok()) {
          const core::Status& s = replaced.status();
          // "rules[i].limits[j]..." is about the i-th type group of `limits`: name the array.
          if (s.code() == core::StatusCode::kInvalidArgument) {
            return field_error("limits", s.message());
          }
          return status_response(s);
        }
        boost::json::array after = rules_json(replaced.value());
        audit_change(ctx, caller, "user.overrides", user.name, before, after);
        announce_change(ctx, "user", "update", user.name, caller);
        return http::json_response(200, {{"user", user.name}, {"overrides", std::move(after)}});
      });
}

http::Response reset_usage(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto found = path_user(ctx, req);
  if (auto* r = std::get_if<http::Response>(&found)) return std::move(*r);
  const store::User& user = std::get<store::User>(found);
  auto keys = ctx.store.list_keys();
  if (!keys.ok()) return store_failure(keys.status());
  std::vector<core::KeyId> key_ids;
  for (const store::ApiKey& k : keys.value()) {
    if (k.user_id == user.id) key_ids.push_back(k.id);
  }
  // Usage still queued must reach the database before its rows are deleted, or it would
  // come back at the next start.
  if (core::Status s = ctx.store.flush(); !s.ok()) return store_failure(s);
  const boost::json::array before = quota_json(ctx, user_quota(ctx, user));
  const int64_t wall_ms = core::to_ms(ctx.clock.now().wall);
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  // The earliest day of a current period: a week may begin in the previous month.
  const int64_t since =
      std::min(rules->calendar().period_at(core::CalendarPeriod::kWeek, wall_ms).start_ms,
               rules->calendar().period_at(core::CalendarPeriod::kMonth, wall_ms).start_ms);
  // The shared counters first: when they cannot be reached nothing else has changed.
  std::optional<size_t> shared_cleared = 0;
  if (ctx.reset_shared && !(shared_cleared = ctx.reset_shared(user.id))) {
    http::Response r = http::error_response(
        503, "counters_unavailable", "the shared counters (Redis) did not answer; try again");
    r.headers.push_back({"Retry-After", "1"});
    return r;
  }
  auto deleted = ctx.store.delete_usage(user.id, since);
  if (!deleted.ok()) return store_failure(deleted.status());
  const size_t cleared = ctx.limiter.reset_user(user.id, key_ids) + *shared_cleared;
  boost::json::array after = quota_json(ctx, user_quota(ctx, user));
  audit_change(ctx, caller, "user.reset", user.name, before, after);
  announce_change(ctx, "user", "reset", user.name, caller);
  return http::json_response(200, {{"user", user.name},
                                   {"counters_cleared", cleared},
                                   {"usage_rows_deleted", deleted.value()},
                                   {"quota", std::move(after)}});
}

}  // namespace

void add_admin_users_api(http::Router& router, ApiContext ctx,
                         reputation::ReputationBook& reputation) {
  // A search reads every user: off the io threads.
  router.add_blocking("GET", "/api/admin/users", kAdminPool,
                      [ctx](const http::Request& req) { return list_users(ctx, req); });
  // A user's quota status and a usage reset ask the counters, which may be Redis and may
  // take up to their deadline to answer: off the io threads.
  router.add_blocking(
      "GET", "/api/admin/users/{name}", kAdminPool,
      [ctx, &reputation](const http::Request& req) { return show_user(ctx, reputation, req); });
  router.add_blocking("PUT", "/api/admin/users/{name}/overrides", kAdminPool,
                      [ctx](const http::Request& req) { return put_overrides(ctx, req); });
  router.add_blocking("POST", "/api/admin/users/{name}/reset", kAdminPool,
                      [ctx](const http::Request& req) { return reset_usage(ctx, req); });
  router.add_blocking("POST", "/api/admin/users/{name}/reputation/reset", kAdminPool,
                      [ctx, &reputation](const http::Request& req) {
                        auto auth = authenticate(req, ctx.directory, true);
                        if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
                        const std::string name(req.path_param("name"));
                        if (!ctx.directory.find_user(name)) {
                          return http::error_response(404, "not_found", "no user " + name);
                        }
                        boost::json::object before = reputation.to_json(name);
                        reputation.reset(name);
                        boost::json::object after = reputation.to_json(name);
                        audit_change(ctx, std::get<identity::Caller>(auth), "user.reputation.reset",
                                     name, before, after);
                        return http::json_response(200, {{"user", name}, {"reputation", after}});
                      });
}

}  // namespace gaia::api::admin
