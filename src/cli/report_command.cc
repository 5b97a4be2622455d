#include "cli/report_command.h"

#include <boost/json.hpp>

#include "cli/detail/api_call.h"
#include "cli/format.h"
#include "http/url.h"

namespace gaia::cli {
namespace {

std::string cell(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return boost::json::serialize(v);
}

}  // namespace

core::Result<std::string> report_query(const ReportArgs& a) {
  std::string q;
  auto add = [&](std::string_view name, const std::string& value) {
    q += q.empty() ? "" : "&";
    q += std::string(name) + "=" + http::percent_encode(value, "-_.~,:");
  };
  if (a.from) add("from", *a.from);
  if (a.to) add("to", *a.to);
  if (a.bucket) add("bucket", *a.bucket);
  if (a.group_by) add("group_by", *a.group_by);
  for (const std::string& f : a.filters) {
    const size_t eq = f.find('=');
    const std::string name = f.substr(0, eq);
    if (eq == std::string::npos || (name != "user" && name != "type" && name != "outcome")) {
      return core::Status::invalid_argument("--filter " + f +
                                            ": expected user=NAME, type=TYPE or outcome=OUTCOME");
    }
    add(name, f.substr(eq + 1));
  }
  if (a.metrics) add("metrics", *a.metrics);
  if (a.format == "csv") add("format", "csv");
  return q;
}

int report(const Session& s, const ReportArgs& args) {
  auto query = report_query(args);
  if (!query.ok()) {
    s.err << "gaia: " << query.status().message() << '\n';
    return kExitError;
  }
  const std::string path = "/api/admin/quotas/analytics?" + query.value();
  if (args.format == "csv") {
    // CSV is not JSON: sent as is, printed verbatim.
    auto res = s.client.send({"GET", path, s.key, ""});
    if (!res.ok()) {
      s.err << "gaia: " << res.status().message() << '\n';
      return kExitError;
    }
    if (res->status == 200) {
      s.out << res->body;
      return kExitOk;
    }
  }
  const Session as_json{s.client, s.key, s.out, s.err, s.clock, s.json || args.format == "json"};
  auto a = detail::call(as_json, {"GET", path, s.key, ""}, {200});
  if (!a) return kExitError;
  if (as_json.json) return kExitOk;
  const boost::json::value* rows = a->body.if_contains("rows");
  if (rows == nullptr || !rows->is_array() || rows->get_array().empty()) {
    s.out << "no rows\n";
    return kExitOk;
  }
  std::vector<std::string> header;
  for (const auto& kv : rows->get_array().front().as_object()) {
    header.emplace_back(kv.key());
  }
  Table table(header);
  for (const boost::json::value& r : rows->get_array()) {
    if (!r.is_object()) continue;
    std::vector<std::string> line;
    for (const std::string& h : header) {
      const boost::json::value* v = r.get_object().if_contains(h);
      line.push_back(v ? cell(*v) : "");
    }
    table.add(std::move(line));
  }
  table.print(s.out);
  return kExitOk;
}

int rebuild_aggregates(const Session& s, std::optional<int64_t> from_ms,
                       std::optional<int64_t> to_ms) {
  boost::json::object body;
  if (from_ms) body["from"] = *from_ms;
  if (to_ms) body["to"] = *to_ms;
  auto a = detail::call(
      s, {"POST", "/api/admin/analytics/rebuild", s.key, boost::json::serialize(body)}, {200});
  if (!a) return kExitError;
  if (!s.json) {
    s.out << "rebuilt " << detail::int_field(a->body, "rows") << " aggregate rows from "
          << detail::int_field(a->body, "executions") << " executions and "
          << detail::int_field(a->body, "violations") << " refusals\n";
  }
  return kExitOk;
}

}  // namespace gaia::cli
