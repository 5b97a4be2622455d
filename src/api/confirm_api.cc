#include "api/confirm_api.h"

#include <charconv>
#include <memory>

#include "api/admin/admin_support.h"
#include "api/public_api.h"
#include "confirm/pattern_json.h"
#include "http/query.h"

namespace gaia::api {
namespace {

constexpr size_t kMaxDecisionsPage = 1000;

int64_t now_ms(const ApiContext& ctx) { return core::to_ms(ctx.clock.now().wall); }

// A Status of kInvalidArgument whose message is "field: reason" as a 400 naming the field.
http::Response invalid(const core::Status& s) {
  const std::string& m = s.message();
  const size_t colon = m.find(": ");
  if (colon == std::string::npos) return field_error("body", m);
  return field_error(m.substr(0, colon), m.substr(colon + 2));
}

http::Response change_failure(const core::Status& s) {
  switch (s.code()) {
    case core::StatusCode::kInvalidArgument:
      if (s.message().find(" exists") != std::string::npos) {
        return http::error_response(409, "conflict", s.message());
      }
      return invalid(s);
    case core::StatusCode::kNotFound:
      return http::error_response(404, "not_found", s.message());
    default:
      return api::admin::store_failure(s);
  }
}

boost::json::value spec_json(const std::optional<confirm::PatternSpec>& spec) {
  return spec ? boost::json::value(confirm::pattern_to_json(*spec)) : boost::json::value(nullptr);
}

// The pattern in the body, or the 400 to send.
std::variant<confirm::PatternSpec, http::Response> body_pattern(const http::Request& req) {
  auto parsed = parse_json(req);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  auto spec = confirm::pattern_from_json(std::get<boost::json::value>(parsed));
  if (!spec.ok()) return invalid(spec.status());
  return std::move(spec.value());
}

void request_decision(const ApiContext& ctx, confirm::Confirmer& confirmer,
                      const http::Request& req, http::Responder respond) {
  auto auth = authenticate(req, ctx.directory, false);
  if (auto* r = std::get_if<http::Response>(&auth)) return respond(std::move(*r));
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  auto body = parse_json(req);
  if (auto* r = std::get_if<http::Response>(&body)) return respond(std::move(*r));
  auto parsed = confirm::confirm_request_from_json(std::get<boost::json::value>(body));
  if (auto* e = std::get_if<core::FieldError>(&parsed)) {
    return respond(field_error(e->field, e->message));
  }
  confirm::ConfirmQuestion q{std::move(std::get<confirm::ConfirmRequest>(parsed)), caller.user_name,
                             caller.key_id, caller.tier};
  confirmer.decide_async(std::move(q), [respond = std::move(respond)](confirm::ConfirmAnswer a) {
    respond(http::json_response(200, confirm::Confirmer::to_json(a)));
  });
}

http::Response list_patterns(const ApiContext& ctx, const confirm::PatternBook& book,
                             const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array out;
  for (const confirm::PatternSpec& spec : book.list())
    out.push_back(confirm::pattern_to_json(spec));
  return http::json_response(200, {{"patterns", std::move(out)}});
}

http::Response create_pattern(const ApiContext& ctx, confirm::PatternBook& book,
                              const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto spec = body_pattern(req);
  if (auto* r = std::get_if<http::Response>(&spec)) return std::move(*r);
  confirm::PatternSpec& s = std::get<confirm::PatternSpec>(spec);
  boost::json::object after = confirm::pattern_to_json(s);
  const std::string id = s.id;
  if (core::Status st = book.create(std::move(s), now_ms(ctx)); !st.ok()) {
    return change_failure(st);
  }
  api::admin::audit_change(ctx, std::get<identity::Caller>(auth), "confirm.pattern.create", id,
                           nullptr, after);
  return http::json_response(201, after);
}

http::Response replace_pattern(const ApiContext& ctx, confirm::PatternBook& book,
                               const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  auto spec = body_pattern(req);
  if (auto* r = std::get_if<http::Response>(&spec)) return std::move(*r);
  confirm::PatternSpec& s = std::get<confirm::PatternSpec>(spec);
  const std::string id(req.path_param("id"));
  auto before = book.find(id);
  boost::json::object after = confirm::pattern_to_json(s);
  if (core::Status st = book.replace(id, std::move(s), now_ms(ctx)); !st.ok()) {
    return change_failure(st);
  }
  api::admin::audit_change(ctx, std::get<identity::Caller>(auth), "confirm.pattern.replace", id,
                           spec_json(before), after);
  return http::json_response(200, after);
}

http::Response delete_pattern(const ApiContext& ctx, confirm::PatternBook& book,
                              const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  const std::string id(req.path_param("id"));
  auto before = book.find(id);
  if (core::Status st = book.remove(id); !st.ok()) return change_failure(st);
  api::admin::audit_change(ctx, std::get<identity::Caller>(auth), "confirm.pattern.delete", id,
                           spec_json(before), nullptr);
  return http::json_response(200, {{"deleted", id}});
}

std::optional<int64_t> query_int(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

boost::json::object decision_json(const store::ConfirmDecision& d) {
  boost::json::object o{{"id", d.id},
                        {"at_ms", d.at_ms},
                        {"user", d.user},
                        {"key_id", d.key_id},
                        {"command", d.command},
                        {"cwd", d.cwd},
                        {"session_id", d.session_id},
                        {"tool", d.tool},
                        {"decision", d.decision},
                        {"source", d.source},
                        {"reason", d.reason}};
  o["pattern_id"] =
      d.pattern_id.empty() ? boost::json::value(nullptr) : boost::json::value(d.pattern_id);
  o["reviewer_latency_ms"] = d.reviewer_latency_ms ? boost::json::value(*d.reviewer_latency_ms)
                                                   : boost::json::value(nullptr);
  return o;
}

http::Response list_decisions(const ApiContext& ctx, const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  store::DecisionFilter f;
  if (auto v = http::query_param(req.query, "user")) f.user = *v;
  if (auto v = http::query_param(req.query, "decision")) {
    if (!confirm::parse_verdict(*v)) return field_error("decision", "must be approve, deny or ask");
    f.decision = *v;
  }
  if (auto v = http::query_param(req.query, "source")) f.source = *v;
  for (auto [name, out] : {std::pair{"from", &f.from_ms}, std::pair{"to", &f.to_ms}}) {
    if (auto v = http::query_param(req.query, name)) {
      auto ms = query_int(*v);
      if (!ms) return field_error(name, "must be a time in milliseconds since the epoch");
      *out = *ms;
    }
  }
  if (auto v = http::query_param(req.query, "limit")) {
    auto n = query_int(*v);
    if (!n || *n < 1 || *n > static_cast<int64_t>(kMaxDecisionsPage)) {
      return field_error("limit", "must be an integer from 1 to 1000");
    }
    f.limit = static_cast<size_t>(*n);
  }
  if (auto v = http::query_param(req.query, "before_id")) {
    auto id = query_int(*v);
    if (!id || *id < 1) return field_error("before_id", "must be a decision id");
    f.before_id = static_cast<uint64_t>(*id);
  }
  auto rows = ctx.store.list_decisions(f);
  if (!rows.ok()) return api::admin::store_failure(rows.status());
  boost::json::array out;
  for (const store::ConfirmDecision& d : rows.value()) out.push_back(decision_json(d));
  boost::json::value next = nullptr;
  if (rows->size() == f.limit) next = rows->back().id;
  return http::json_response(200, {{"decisions", std::move(out)}, {"next_before_id", next}});
}

}  // namespace

void add_confirm_api(http::Router& router, const ApiContext& ctx, confirm::PatternBook& patterns,
                     confirm::Confirmer& confirmer) {
  router.add_async("POST", "/api/claude/confirm/request",
                   [ctx, &confirmer](const http::Request& req, http::Responder respond) {
                     request_decision(ctx, confirmer, req, std::move(respond));
                   });
  router.add("GET", "/api/claude/confirm/patterns", [ctx, &patterns](const http::Request& req) {
    return list_patterns(ctx, patterns, req);
  });
  router.add("POST", "/api/claude/confirm/patterns", [ctx, &patterns](const http::Request& req) {
    return create_pattern(ctx, patterns, req);
  });
  router.add(
      "PUT", "/api/claude/confirm/patterns/{id}",
      [ctx, &patterns](const http::Request& req) { return replace_pattern(ctx, patterns, req); });
  router.add(
      "DELETE", "/api/claude/confirm/patterns/{id}",
      [ctx, &patterns](const http::Request& req) { return delete_pattern(ctx, patterns, req); });
  router.add("GET", "/api/claude/confirm/decisions",
             [ctx](const http::Request& req) { return list_decisions(ctx, req); });
}

}  // namespace gaia::api
