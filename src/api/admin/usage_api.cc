#include "api/admin/usage_api.h"

#include <algorithm>

#include "api/admin/admin_support.h"
#include "api/admin/analytics_csv.h"
#include "api/api_pools.h"
#include "core/limit_name.h"

namespace gaia::api::admin {
namespace {

constexpr int64_t kMaxPage = 1000;
constexpr int64_t kDefaultPage = 100;

std::optional<core::CalendarPeriod> parse_period(std::string_view name) {
  for (auto p :
       {core::CalendarPeriod::kDay, core::CalendarPeriod::kWeek, core::CalendarPeriod::kMonth}) {
    if (name == core::period_name(p)) return p;
  }
  return std::nullopt;
}

// A type filter: a command type's name, or "any" (rules over every type).
bool known_type(const core::RuleSet& rules, std::string_view type) {
  return type == "any" || rules.type_id(type).has_value();
}

struct UsageRow {
  std::string user;
  std::string type;
  core::CalendarPeriod period;
  core::Period bounds;
  uint32_t used = 0;
  uint32_t limit = 0;
};

http::Response list_usage(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  QueryReader q(req.query);
  auto user = q.text("user");
  auto type = q.text("type");
  auto period_name = q.text("period", 16);
  auto limit = q.integer("limit", 1, kMaxPage);
  auto offset = q.integer("offset", 0, INT32_MAX);
  if (q.error()) return *q.error();
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  if (type && !known_type(*rules, *type)) {
    return field_error("type", "unknown command type " + *type);
  }
  std::optional<core::CalendarPeriod> period;
  if (period_name) {
    period = parse_period(*period_name);
    if (!period) return field_error("period", "must be day, week or month");
  }
  std::vector<store::User> users;
  if (user) {
    auto found = ctx.directory.find_user(*user);
    if (!found) return http::error_response(404, "not_found", "no user " + *user);
    users.push_back(*found);
  } else {
    auto all = ctx.store.list_users();
    if (!all.ok()) return store_failure(all.status());
    users = std::move(all.value());
  }
  std::sort(users.begin(), users.end(),
            [](const store::User& a, const store::User& b) { return a.name < b.name; });

  const core::Instant now = ctx.clock.now();
  const int64_t wall_ms = core::to_ms(now.wall);
  std::vector<UsageRow> rows;
  // Local as soon as one user's figures are (the shared counters did not answer).
  exec::QuotaView::Source source = exec::QuotaView::Source::kMemory;
  for (const store::User& u : users) {
    std::vector<UsageRow> mine;
    const exec::QuotaView view =
        quota_view(ctx, {u.id, 0, u.tier, ctx.directory.limit_scale(u.id)});
    if (source != exec::QuotaView::Source::kLocal) source = view.source;
    for (const core::QuotaLine& line : view.lines) {
      const core::CompiledLimit& l = line.state.limit;
      if (l.kind != core::LimitKind::kCalendar) continue;
      if (period && l.period != *period) continue;
      std::string type_name(core::limit_type_name(l, *rules));
      if (type && type_name != *type) continue;
      mine.push_back({u.name, std::move(type_name), l.period,
                      rules->calendar().period_at(l.period, wall_ms), line.state.used, l.amount});
    }
    std::stable_sort(mine.begin(), mine.end(), [](const UsageRow& a, const UsageRow& b) {
      return std::tie(a.type, a.period) < std::tie(b.type, b.period);
    });
    rows.insert(rows.end(), mine.begin(), mine.end());
  }
  const size_t first = std::min(rows.size(), static_cast<size_t>(offset.value_or(0)));
  const size_t last =
      std::min(rows.size(), first + static_cast<size_t>(limit.value_or(kDefaultPage)));
  boost::json::array out;
  for (size_t i = first; i < last; ++i) {
    const UsageRow& r = rows[i];
    out.push_back({{"user", r.user},
                   {"type", r.type},
                   {"period", core::period_name(r.period)},
                   {"period_start_ms", r.bounds.start_ms},
                   {"period_end_ms", r.bounds.end_ms},
                   {"used", r.used},
                   {"limit", r.limit},
                   {"remaining", r.used >= r.limit ? 0 : r.limit - r.used}});
  }
  boost::json::value next = nullptr;
  if (last < rows.size()) next = last;
  return http::json_response(
      200,
      {{"usage", std::move(out)}, {"next_offset", next}, {"counters", exec::source_name(source)}});
}

// The listing's columns, in the order of the CSV form: `at_ms` (the last refusal, as before
// episodes) and `command` (the sample) keep their meaning; `count`, `first_at`, `last_at`
// tell the episode.
constexpr const char* kViolationColumns[] = {"id",    "user",     "user_id", "key_id",
                                             "type",  "limit",    "command", "at_ms",
                                             "count", "first_at", "last_at"};

std::vector<analytics::Value> violation_values(const store::ViolationRecord& r,
                                               const std::string& user) {
  const store::Violation& v = r.violation;
  return {static_cast<int64_t>(r.id),
          user,
          static_cast<int64_t>(v.user_id),
          static_cast<int64_t>(v.key_id),
          v.type,
          v.limit,
          v.command,
          v.at_ms,
          static_cast<int64_t>(v.count),
          v.first_ms(),
          v.at_ms};
}

http::Response list_violations(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  QueryReader q(req.query);
  auto user = q.text("user");
  auto type = q.text("type");
  auto limit_name = q.text("limit_name");
  auto from = q.time_ms("from");
  auto to = q.time_ms("to");
  auto limit = q.integer("limit", 1, kMaxPage);
  auto before = q.integer("before", 1, INT64_MAX);
  auto format = q.text("format", 8);
  if (q.error()) return *q.error();
  if (from && to && *from > *to) return field_error("to", "must not be before from");
  if (format && *format != "json" && *format != "csv") {
    return field_error("format", "must be json or csv");
  }
  store::ViolationFilter f;
  if (user) {
    auto found = ctx.directory.find_user(*user);
    if (!found) return http::error_response(404, "not_found", "no user " + *user);
    f.user_id = found->id;
  }
  f.type = type;
  f.limit_name = limit_name;
  f.from_ms = from;
  f.to_ms = to;
  if (before) f.before_id = static_cast<uint64_t>(*before);
  f.limit = static_cast<size_t>(limit.value_or(kDefaultPage));
  auto rows = ctx.store.list_violations(f);
  if (!rows.ok()) return store_failure(rows.status());
  const auto name_of = [&](uint64_t user_id) {
    auto owner = ctx.directory.user_by_id(user_id);
    return owner ? owner->name : std::to_string(user_id);
  };
  if (format == "csv") {
    http::Response csv;
    csv.content_type = "text/csv; charset=utf-8";
    append_csv_header(csv.body, {std::begin(kViolationColumns), std::end(kViolationColumns)});
    for (const store::ViolationRecord& r : rows.value()) {
      append_csv_record(csv.body, violation_values(r, name_of(r.violation.user_id)));
    }
    return csv;
  }
  boost::json::array out;
  for (const store::ViolationRecord& r : rows.value()) {
    boost::json::object item;
    const std::vector<analytics::Value> values = violation_values(r, name_of(r.violation.user_id));
    for (size_t i = 0; i < values.size(); ++i) {
      if (const auto* n = std::get_if<int64_t>(&values[i])) {
        item[kViolationColumns[i]] = *n;
      } else {
        item[kViolationColumns[i]] = std::get<std::string>(values[i]);
      }
    }
    out.push_back(std::move(item));
  }
  boost::json::value next = nullptr;
  if (rows->size() == f.limit) next = rows->back().id;
  return http::json_response(200, {{"violations", std::move(out)}, {"next_before", next}});
}

}  // namespace

void add_admin_usage_api(http::Router& router, ApiContext ctx) {
  // Both read a whole table (every user's quota status; violations by scan), which takes
  // long with many users: off the io threads.
  router.add_blocking("GET", "/api/admin/quotas/usage", kAdminPool,
                      [ctx](const http::Request& req) { return list_usage(ctx, req); });
  router.add_blocking("GET", "/api/admin/quotas/violations", kAdminPool,
                      [ctx](const http::Request& req) { return list_violations(ctx, req); });
}

}  // namespace gaia::api::admin
