#include "api/admin/analytics_api.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "api/admin/admin_support.h"
#include "api/admin/analytics_csv.h"
#include "api/admin/analytics_query.h"
#include "api/api_pools.h"
#include "http/json_text.h"

namespace gaia::api::admin {
namespace {

using analytics::Dimension;
using analytics::Metric;

constexpr size_t kChunkBytes = 64 * 1024;
constexpr int64_t kDefaultRangeMs = 24 * analytics::kHourMs;

boost::json::value value_json(const analytics::Value& v) {
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  return boost::json::string(std::get<std::string>(v));
}

// Answers a stream with one whole response.
void answer(const std::shared_ptr<http::ResponseStream>& stream, http::Response r) {
  stream->begin(r.status, std::string(r.content_type), std::move(r.headers));
  stream->write(std::move(r.body));
  stream->finish();
}

// Writes a report to its stream as its rows come: text gathers into chunks of about
// kChunkBytes, each written once the client has taken the one before (so at most about two
// chunks wait in memory, whatever the report's size). The status line goes out with the
// first chunk, so a store failure before it is still a 503.
class ReportWriter {
 public:
  ReportWriter(std::shared_ptr<http::ResponseStream> stream, std::string content_type)
      : stream_(std::move(stream)), content_type_(std::move(content_type)) {}

  std::string& text() { return text_; }
  bool begun() const { return begun_; }

  // Writes the gathered text once it fills a chunk (or now, when `all`). False when the
  // client went away. REQUIRES: not an io thread (it waits while the client is behind).
  bool write(bool all = false) {
    if (text_.size() < kChunkBytes && !all) return true;
    if (!begun_) stream_->begin(200, content_type_);
    begun_ = true;
    while (!stream_->write(text_)) {
      if (stream_->closed()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    text_.clear();
    return true;
  }

  void finish() {
    if (write(true)) stream_->finish();
  }

 private:
  const std::shared_ptr<http::ResponseStream> stream_;
  const std::string content_type_;
  std::string text_;
  bool begun_ = false;
};

// The report's opening: CSV's header row, or JSON's head up to the start of its rows.
void open_report(const ParsedReport& p, std::string& out) {
  if (p.csv) return append_csv_header(out, analytics::report_columns(p.query));
  boost::json::array group_by, metrics;
  for (Dimension d : p.query.group_by) group_by.emplace_back(analytics::dimension_name(d));
  for (Metric m : p.query.metrics) metrics.emplace_back(analytics::metric_name(m));
  boost::json::object head{{"from_ms", p.query.from_ms},
                           {"to_ms", p.query.to_ms},
                           {"bucket", store::granularity_name(p.query.bucket)},
                           {"group_by", std::move(group_by)},
                           {"metrics", std::move(metrics)}};
  std::string text = http::object_json_text(head);
  text.pop_back();  // the closing brace: the rows follow
  out += text + ",\"rows\":[";
}

void append_row(const ParsedReport& p, const std::vector<std::string>& columns, bool first,
                const std::vector<analytics::Value>& values, std::string& out) {
  if (p.csv) return append_csv_record(out, values);
  boost::json::object row;
  for (size_t c = 0; c < columns.size(); ++c) row[columns[c]] = value_json(values[c]);
  if (!first) out += ',';
  out += http::object_json_text(row);
}

// Streams the report of `p` to `stream`: rows are rendered and written as the report
// produces them, never held all at once. REQUIRES: not an io thread.
void stream_report(const ApiContext& ctx, const analytics::Buckets& buckets, const ParsedReport& p,
                   const std::shared_ptr<http::ResponseStream>& stream) {
  ReportWriter out(stream, p.csv ? "text/csv; charset=utf-8" : "application/json");
  open_report(p, out.text());
  const std::vector<std::string> columns = analytics::report_columns(p.query);
  bool first = true;
  core::Status s = analytics::stream_report(
      ctx.store, buckets, p.query,
      [&ctx](uint64_t id) {
        auto user = ctx.directory.user_by_id(id);
        return user ? user->name : std::to_string(id);
      },
      [&](std::vector<analytics::Value> row) {
        append_row(p, columns, first, row, out.text());
        first = false;
        return out.write();
      });
  if (!s.ok()) {
    // Before the first byte the client gets a clean 503; after it, a cut-off body (the
    // stream is dropped unfinished), never a complete-looking wrong one.
    if (!out.begun()) answer(stream, store_failure(s));
    return;
  }
  if (!p.csv) out.text() += "]}";
  out.finish();
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
  // A report may take a while: it runs on the analytics pool, off the io threads, and holds
  // its thread until its last row is written, so the pool's size (GAIA_HTTP_ANALYTICS_THREADS)
  // bounds the reports under way; past its queue the rest are answered 503 with Retry-After.
  router.add_stream_blocking(
      "GET", "/api/admin/quotas/analytics", kAnalyticsPool,
      [ctx, services](const http::Request& req, std::shared_ptr<http::ResponseStream> stream) {
        auto auth = authenticate(req, ctx.directory, true);
        if (auto* r = std::get_if<http::Response>(&auth)) return answer(stream, std::move(*r));
        auto parsed =
            parse_report_query(req.query, core::to_ms(ctx.clock.now().wall),
                               [&ctx](std::string_view name) -> std::optional<uint64_t> {
                                 auto found = ctx.directory.find_user(name);
                                 return found ? std::optional<uint64_t>(found->id) : std::nullopt;
                               });
        if (auto* r = std::get_if<http::Response>(&parsed)) return answer(stream, std::move(*r));
        stream_report(ctx, services.rollup.buckets(), std::get<ParsedReport>(parsed), stream);
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
