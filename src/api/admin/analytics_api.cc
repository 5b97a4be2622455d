#include "api/admin/analytics_api.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "api/admin/admin_support.h"
#include "api/admin/analytics_csv.h"
#include "api/api_pools.h"

namespace gaia::api::admin {
namespace {

using analytics::Dimension;
using analytics::Metric;

constexpr size_t kChunkBytes = 64 * 1024;
constexpr int64_t kDefaultRangeMs = 24 * analytics::kHourMs;

// Splits a comma-separated list; empty items are dropped.
std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// The range of a request: `to` defaults to now and `from` to `default_length` before it.
std::variant<std::pair<int64_t, int64_t>, http::Response> range_of(QueryReader& q, int64_t now_ms,
                                                                   int64_t default_length) {
  auto from = q.time_ms("from");
  auto to = q.time_ms("to");
  if (q.error()) return *q.error();
  const int64_t to_ms = to.value_or(now_ms);
  const int64_t from_ms = from.value_or(to_ms - default_length);
  if (from_ms >= to_ms) return field_error("from", "must be before to");
  return std::make_pair(from_ms, to_ms);
}

struct ParsedReport {
  analytics::ReportQuery query;
  bool csv = false;
};

std::variant<ParsedReport, http::Response> parse_report(const ApiContext& ctx,
                                                        const http::Request& req) {
  QueryReader q(req.query);
  ParsedReport out;
  auto range = range_of(q, core::to_ms(ctx.clock.now().wall), kDefaultRangeMs);
  if (auto* r = std::get_if<http::Response>(&range)) return std::move(*r);
  std::tie(out.query.from_ms, out.query.to_ms) = std::get<0>(range);
  auto bucket = q.text("bucket", 16);
  auto group_by = q.text("group_by", 64);
  auto user = q.text("user", 128);
  auto type = q.text("type", 64);
  auto outcome = q.text("outcome", 16);
  auto metrics = q.text("metrics", 64);
  auto format = q.text("format", 8);
  if (q.error()) return *q.error();
  if (bucket) {
    auto g = store::parse_granularity(*bucket);
    if (!g) return field_error("bucket", "must be minute, hour or day");
    out.query.bucket = *g;
  }
  if (group_by) {
    for (const std::string& name : split(*group_by)) {
      auto d = analytics::parse_dimension(name);
      if (!d) return field_error("group_by", "\"" + name + "\": use user, type, key or outcome");
      if (std::find(out.query.group_by.begin(), out.query.group_by.end(), *d) !=
          out.query.group_by.end()) {
        return field_error("group_by", "\"" + name + "\" is named twice");
      }
      out.query.group_by.push_back(*d);
    }
  }
  if (metrics) {
    out.query.metrics.clear();
    for (const std::string& name : split(*metrics)) {
      auto m = analytics::parse_metric(name);
      if (!m) {
        return field_error("metrics", "\"" + name + "\": use count, cost, duration, cpu or memory");
      }
      if (std::find(out.query.metrics.begin(), out.query.metrics.end(), *m) ==
          out.query.metrics.end()) {
        out.query.metrics.push_back(*m);
      }
    }
    if (out.query.metrics.empty()) return field_error("metrics", "name at least one metric");
  }
  if (user) {
    auto found = ctx.directory.find_user(*user);
    if (!found) return field_error("user", "no user " + *user);
    out.query.user_id = found->id;
  }
  if (type) out.query.type = *type;
  if (outcome) {
    if (*outcome != analytics::kAdmitted && *outcome != analytics::kRefused &&
        *outcome != analytics::kExecuted && *outcome != analytics::kFailed) {
      return field_error("outcome", "must be admitted, refused, executed or failed");
    }
    out.query.outcome = *outcome;
  }
  if (format) {
    if (*format != "json" && *format != "csv") return field_error("format", "must be json or csv");
    out.csv = *format == "csv";
  }
  if (core::Status s = analytics::validate(out.query); !s.ok()) {
    return field_error(s.message().starts_with("from") ? "from" : "bucket", s.message());
  }
  return out;
}

boost::json::value value_json(const analytics::Value& v) {
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  return boost::json::string(std::get<std::string>(v));
}

// The rendered body in chunks of about kChunkBytes.
std::vector<std::string> render(const ParsedReport& p, const analytics::ReportTable& table) {
  std::vector<std::string> chunks(1);
  auto next = [&]() -> std::string& {
    if (chunks.back().size() >= kChunkBytes) chunks.emplace_back();
    return chunks.back();
  };
  if (p.csv) {
    append_csv_header(next(), table.columns);
    for (const auto& row : table.rows) append_csv_record(next(), row);
    return chunks;
  }
  boost::json::array group_by, metrics;
  for (Dimension d : p.query.group_by) group_by.emplace_back(analytics::dimension_name(d));
  for (Metric m : p.query.metrics) metrics.emplace_back(analytics::metric_name(m));
  boost::json::object head{{"from_ms", p.query.from_ms},
                           {"to_ms", p.query.to_ms},
                           {"bucket", store::granularity_name(p.query.bucket)},
                           {"group_by", std::move(group_by)},
                           {"metrics", std::move(metrics)}};
  std::string text = boost::json::serialize(head);
  text.pop_back();  // the closing brace: the rows follow
  next() += text + ",\"rows\":[";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    boost::json::object row;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      row[table.columns[c]] = value_json(table.rows[i][c]);
    }
    std::string& out = next();
    if (i > 0) out += ',';
    out += boost::json::serialize(row);
  }
  next() += "]}";
  return chunks;
}

// Writes `chunks` to `stream`, waiting while the client is behind. REQUIRES: not an io thread.
void write_chunks(const std::shared_ptr<http::ResponseStream>& stream, std::string content_type,
                  const std::vector<std::string>& chunks) {
  stream->begin(200, std::move(content_type));
  for (const std::string& chunk : chunks) {
    while (!stream->write(chunk)) {
      if (stream->closed()) return;  // the client went away
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  stream->finish();
}

// Answers a stream with one whole response.
void answer(const std::shared_ptr<http::ResponseStream>& stream, http::Response r) {
  stream->begin(r.status, std::string(r.content_type), std::move(r.headers));
  stream->write(std::move(r.body));
  stream->finish();
}

boost::json::object findings_json(const analytics::Findings& f) {
  boost::json::array items;
  for (const analytics::Finding& item : f.items) {
    boost::json::object o{{"scope", item.scope}, {"value", item.value}};
    if (!item.user.empty()) o["user"] = item.user;
    if (!item.type.empty()) o["type"] = item.type;
    for (const auto& [name, v] : item.figures) o[name] = v;
    if (item.at_ms) o["at_ms"] = *item.at_ms;
    o["explanation"] = item.explanation;
    items.push_back(std::move(o));
  }
  return {{"kind", f.kind}, {"items", std::move(items)}};
}

http::Response findings_response(const core::Result<analytics::Findings>& f) {
  if (!f.ok()) return store_failure(f.status());
  return http::json_response(200, findings_json(f.value()));
}

// Runs `fn(query reader, now_ms)` for an admin; answers 401/403 otherwise.
template <class Fn>
http::Response admin_get(const ApiContext& ctx, const http::Request& req, Fn fn) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  QueryReader q(req.query);
  return fn(q, core::to_ms(ctx.clock.now().wall));
}

}  // namespace

void add_analytics_api(http::Router& router, ApiContext ctx, AnalyticsServices services) {
  // A report may take a second: it runs on the analytics pool, off the io threads.
  router.add_stream_blocking(
      "GET", "/api/admin/quotas/analytics", kAnalyticsPool,
      [ctx, services](const http::Request& req, std::shared_ptr<http::ResponseStream> stream) {
        auto auth = authenticate(req, ctx.directory, true);
        if (auto* r = std::get_if<http::Response>(&auth)) return answer(stream, std::move(*r));
        auto parsed = parse_report(ctx, req);
        if (auto* r = std::get_if<http::Response>(&parsed)) return answer(stream, std::move(*r));
        const ParsedReport& p = std::get<ParsedReport>(parsed);
        auto table = analytics::run_report(ctx.store, services.rollup.buckets(), p.query,
                                           [&ctx](uint64_t id) {
                                             auto user = ctx.directory.user_by_id(id);
                                             return user ? user->name : std::to_string(id);
                                           });
        if (!table.ok()) return answer(stream, store_failure(table.status()));
        write_chunks(stream, p.csv ? "text/csv; charset=utf-8" : "application/json",
                     render(p, table.value()));
      });

  router.add_blocking(
      "GET", "/api/admin/analytics/trend", kAnalyticsPool,
      [ctx, services](const http::Request& req) {
        return admin_get(ctx, req, [&](QueryReader& q, int64_t now) -> http::Response {
          auto range = range_of(q, now, 7 * analytics::kDayMs);
          if (auto* r = std::get_if<http::Response>(&range)) return std::move(*r);
          auto limit = q.integer("limit", 1, 1000);
          if (q.error()) return *q.error();
          const auto [from, to] = std::get<0>(range);
          return findings_response(services.detectors.trend(
              {.from_ms = from, .to_ms = to, .limit = static_cast<size_t>(limit.value_or(20))}));
        });
      });
  router.add_blocking("GET", "/api/admin/analytics/spikes", kAnalyticsPool,
                      [ctx, services](const http::Request& req) {
                        return admin_get(
                            ctx, req, [&](QueryReader& q, int64_t now) -> http::Response {
                              auto hour = q.time_ms("hour");
                              auto weeks = q.integer("weeks", 1, 12);
                              auto min_count = q.integer("min_count", 1, 1'000'000'000);
                              auto threshold = q.integer("threshold", 1, 100);
                              if (q.error()) return *q.error();
                              analytics::SpikeOptions o;
                              // Default: the last complete hour.
                              o.hour_start_ms = hour.value_or(now - analytics::kHourMs);
                              if (weeks) o.weeks = static_cast<int>(*weeks);
                              if (min_count) o.min_count = static_cast<uint64_t>(*min_count);
                              if (threshold) o.threshold = static_cast<double>(*threshold);
                              return findings_response(services.detectors.spikes(o));
                            });
                      });
  router.add_blocking("GET", "/api/admin/analytics/violators", kAnalyticsPool,
                      [ctx, services](const http::Request& req) {
                        return admin_get(
                            ctx, req, [&](QueryReader& q, int64_t now) -> http::Response {
                              auto range = range_of(q, now, kDefaultRangeMs);
                              if (auto* r = std::get_if<http::Response>(&range))
                                return std::move(*r);
                              auto min = q.integer("min_refusals", 0, 1'000'000'000);
                              if (q.error()) return *q.error();
                              const auto [from, to] = std::get<0>(range);
                              return findings_response(services.detectors.violators(
                                  {.from_ms = from,
                                   .to_ms = to,
                                   .min_refusals = static_cast<uint64_t>(min.value_or(10))}));
                            });
                      });
  router.add_blocking("GET", "/api/admin/analytics/forecast", kAnalyticsPool,
                      [ctx, services](const http::Request& req) {
                        return admin_get(
                            ctx, req, [&](QueryReader& q, int64_t now) -> http::Response {
                              auto window = q.integer("window_minutes", 1, 24 * 60);
                              if (q.error()) return *q.error();
                              return findings_response(services.detectors.forecast(
                                  {.now_ms = now, .rate_window_ms = window.value_or(60) * 60'000}));
                            });
                      });
  router.add_blocking(
      "GET", "/api/admin/analytics/top", kAnalyticsPool, [ctx, services](const http::Request& req) {
        return admin_get(ctx, req, [&](QueryReader& q, int64_t now) -> http::Response {
          auto range = range_of(q, now, kDefaultRangeMs);
          if (auto* r = std::get_if<http::Response>(&range)) return std::move(*r);
          auto per_type = q.integer("per_type", 1, 100);
          if (q.error()) return *q.error();
          const auto [from, to] = std::get<0>(range);
          return findings_response(
              services.detectors.top({.from_ms = from,
                                      .to_ms = to,
                                      .per_type = static_cast<size_t>(per_type.value_or(5))}));
        });
      });
  router.add_blocking(
      "POST", "/api/admin/analytics/rebuild", kAnalyticsPool,
      [ctx, services](const http::Request& req) {
        return with_json_caller(
            ctx.directory, req, true, [&](const identity::Caller& caller, JsonBody& body) {
              const int64_t now = core::to_ms(ctx.clock.now().wall);
              auto from = body.integer("from", false, 0, int64_t{1} << 50);
              auto to = body.integer("to", false, 0, int64_t{1} << 50);
              if (body.error()) return *body.error();
              const int64_t to_ms = to.value_or(now);
              const int64_t from_ms = from.value_or(to_ms - 30 * analytics::kDayMs);
              if (from_ms >= to_ms) return field_error("from", "must be before to");
              if (to_ms - from_ms > 800 * analytics::kDayMs) {
                return field_error("from", "a rebuild spans at most 800 days");
              }
              auto stats = services.rollup.rebuild(from_ms, to_ms, now);
              if (!stats.ok()) return store_failure(stats.status());
              boost::json::object out{{"from_ms", stats->from_ms},
                                      {"to_ms", stats->to_ms},
                                      {"executions", stats->executions},
                                      {"violations", stats->violations},
                                      {"rows", stats->rows}};
              audit_change(ctx, caller, "analytics.rebuild", "aggregates", nullptr, out);
              return http::json_response(200, out);
            });
      });
}

}  // namespace gaia::api::admin
