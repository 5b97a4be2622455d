#include "api/public_api.h"

#include <boost/json/monotonic_resource.hpp>
#include <memory>

#include "api/limit_problem.h"
#include "api/throttle_json.h"
#include "http/ratelimit_fields.h"

namespace gaia::api {
namespace {

constexpr size_t kMaxCommandBytes = 64 * 1024;
constexpr size_t kMaxNameBytes = 128;
constexpr int64_t kMaxCost = 1'000'000;
// The largest figures an execution report may carry (docs/api.md): a year of wall time, that
// on a thousand CPUs, a pebibyte of memory, a start before the year 10000. Sums over them
// saturate as well (core/saturating_add.h); these bounds keep each one meaningful.
constexpr int64_t kMaxDurationMs = 365LL * 24 * 3600 * 1000;
constexpr int64_t kMaxCpuMs = 1000 * kMaxDurationMs;
constexpr int64_t kMaxMemoryBytes = int64_t{1} << 50;
constexpr int64_t kMaxStartedAtMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

// Who a request acts for: the caller, or for a service key the user it names.
struct Subject {
  uint64_t user_id = 0;
  std::string user_name;
  core::Principal principal;
};

std::variant<Subject, http::Response> subject_of(const identity::Caller& caller,
                                                 std::optional<std::string> user,
                                                 const identity::Directory& directory) {
  Subject s{caller.user_id,
            caller.user_name,
            {caller.user_id, caller.key_id, caller.tier, caller.limit_scale}};
  if (!user) return s;
  if (caller.role != store::Role::kService) {
    return field_error("user", "only a service key may act for another user");
  }
  auto found = directory.find_user(*user);
  if (!found) return field_error("user", "no user named " + *user);
  return Subject{found->id,
                 found->name,
                 {found->id, caller.key_id, found->tier, directory.limit_scale(found->id)}};
}

// Factor 0: 503 and nothing consumed. "overloaded" (refuse) or "wait": come back after
// throttle.wait_ms, for at most throttle.max_wait_ms.
http::Response overloaded(const exec::QuotaAnswer& a, const std::string& user) {
  const bool wait = a.outcome == exec::QuotaOutcome::kHeld;
  const std::string why = "the machine is overloaded (" + throttle_reason(*a.throttle) + ")";
  boost::json::object body =
      http::problem(503, wait ? "wait" : "overloaded",
                    wait ? why + "; wait and ask again" : why + "; new work is refused");
  body["allowed"] = false;
  body["user"] = user;
  body["throttle"] = throttle_json(*a.throttle);
  http::Response r = http::problem_response(503, body);
  r.headers.push_back({"Retry-After", std::to_string(a.retry_after_s)});
  return r;
}

// A valid check request: what the counters are asked, and what its answer names.
struct CheckAsk {
  std::shared_ptr<const core::RuleSet> rules;
  Subject subject;
  uint64_t key_id = 0;
  core::CommandTypeId type = 0;
  uint32_t units = 1;
  std::optional<std::string> command;

  exec::QuotaRequest request() const {
    return {.rules = rules,
            .user_id = subject.user_id,
            .key_id = key_id,
            .principal = subject.principal,
            .type = type,
            .cost = units,
            .command = command ? std::string_view(*command) : ""};
  }
};

std::variant<CheckAsk, http::Response> check_ask(const ApiContext& ctx,
                                                 const identity::Caller& caller, JsonBody& body) {
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  auto type = body.command_type("type", *rules);
  auto cost = body.integer("cost", false, 1, kMaxCost);
  auto command = body.string("command", false, kMaxCommandBytes);
  auto user = body.string("user", false, kMaxNameBytes);
  if (body.error()) return *body.error();
  auto who = subject_of(caller, user, ctx.directory);
  if (auto* r = std::get_if<http::Response>(&who)) return std::move(*r);

  const auto units = static_cast<uint32_t>(cost.value_or(1));
  // A cost no limit could ever admit is bad input: answered before anything is counted.
  if (units > 1) {
    if (auto r = cost_beyond_limits(*rules, std::get<Subject>(who).principal, *type, units)) {
      return *r;
    }
  }
  return CheckAsk{std::move(rules),  std::move(std::get<Subject>(who)), caller.key_id, *type, units,
                  std::move(command)};
}

// The answer to `ask`, which the counters answered `a`.
http::Response check_answer(const CheckAsk& ask, const exec::QuotaAnswer& a) {
  const Subject& subject = ask.subject;
  if (a.outcome == exec::QuotaOutcome::kStorePaused) {
    http::Response r = http::error_response(
        503, "store_unavailable", "the database is unavailable and admissions are paused");
    r.headers.push_back({"Retry-After", std::to_string(a.retry_after_s)});
    return r;
  }
  if (a.outcome == exec::QuotaOutcome::kCountersUnavailable) {
    http::Response r = http::error_response(
        503, "counters_unavailable",
        "the shared counters did not answer in time; failure policy closed: admissions refused");
    r.headers.push_back({"Retry-After", std::to_string(a.retry_after_s)});
    return r;
  }
  if (a.outcome == exec::QuotaOutcome::kOverloaded || a.outcome == exec::QuotaOutcome::kHeld) {
    return overloaded(a, subject.user_name);
  }
  const core::Decision& d = a.decision;
  const core::RuleSet& decided_on = *a.rules;

  const std::string& type_name = decided_on.command_types()[ask.type].name;
  // The fields' quota is the limit as the rules state it: stable while reputation scales it.
  const uint32_t quota =
      d.has_deciding ? decided_on.stated_amount(subject.principal, ask.type, d.deciding.limit) : 0;
  http::Response r;
  r.status = d.allowed ? 200 : 429;
  if (!d.allowed) r.content_type = http::kProblemJson;
  // The answer's text is written as it is stated, with no tree in between: this is the answer
  // given on every check. A refusal's problem is about 700 bytes.
  r.body.reserve(1024);
  {
    http::JsonWriter out(r.body);
    out.begin_object();
    if (d.allowed) {
      out.member("allowed", true);
      out.member("type", type_name);
      if (d.has_deciding) {
        out.object("limit",
                   [&](auto& o) { http::limit_members(o, d.deciding, decided_on, quota); });
        r.headers.reserve(2);
        r.headers.push_back(
            {"RateLimit-Policy", http::policy_field(d.deciding, decided_on, quota)});
        r.headers.push_back(
            {"RateLimit", http::ratelimit_field(d.deciding, decided_on, false, quota)});
      }
    } else {
      // Refused: the problem every 429 of a limit is (api/limit_problem.h), plus the check's own
      // members; "type" is the problem's, so the command type is "command_type".
      const std::optional<int64_t> retry =
          a.retry_after_s >= 0 ? std::optional<int64_t>(a.retry_after_s) : std::nullopt;
      if (d.has_deciding) {
        limit_problem_members(out, d.deciding, decided_on, quota, "limit_exceeded",
                              limit_reached(d.deciding, decided_on, retry), retry);
        r.headers = limit_problem_headers(d.deciding, decided_on, quota, retry);
      } else {
        http::problem_members(out, 429, "limit_exceeded", "refused", http::kQuotaExceededType);
        if (retry) r.headers.push_back({"Retry-After", std::to_string(*retry)});
      }
      out.member("allowed", false);
      out.member("command_type", type_name);
    }
    out.member("user", subject.user_name);
    out.member("cost", ask.units);
    out.member("priority", d.priority);
    if (a.throttle) out.member("throttle", throttle_json(*a.throttle));
    if (!a.warnings.empty()) {
      out.key("warnings");
      out.begin_array();
      for (const exec::QuotaWarning& w : a.warnings) out.value(warning_json(w, decided_on));
      out.end_array();
    }
    if (d.shadow_refusals > 0) {
      out.key("shadow");
      out.begin_array();
      for (int i = 0; i < d.shadow_refusals; ++i) {
        out.begin_object();
        http::limit_members(out, d.shadow[i], decided_on, d.shadow[i].limit.amount);
        out.end_object();
      }
      out.end_array();
    }
    out.end_object();
  }  // the writer sets the text's length when it goes
  return r;
}

// The execution a request describes, or the error to answer.
std::variant<store::Execution, http::Response> execution_of(const ApiContext& ctx,
                                                            const identity::Caller& caller,
                                                            JsonBody& body) {
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  store::Execution e;
  auto id = body.string("id", true, kMaxNameBytes);
  auto type = body.command_type("type", *rules);
  auto command = body.string("command", true, kMaxCommandBytes);
  auto started_at = body.integer("started_at", false, 0, kMaxStartedAtMs);
  auto duration = body.integer("duration_ms", true, 0, kMaxDurationMs);
  auto cpu = body.integer("cpu_ms", true, 0, kMaxCpuMs);
  auto memory = body.integer("peak_memory_bytes", true, 0, kMaxMemoryBytes);
  auto exit_code = body.integer("exit_code", false, 0, 255);
  auto signal = body.integer("signal", false, 1, 64);
  auto user = body.string("user", false, kMaxNameBytes);
  if (body.error()) return *body.error();
  if (id->empty()) return field_error("id", "must not be empty");
  if (exit_code.has_value() == signal.has_value()) {
    return field_error("exit_code", "give exactly one of exit_code and signal");
  }
  auto who = subject_of(caller, user, ctx.directory);
  if (auto* r = std::get_if<http::Response>(&who)) return std::move(*r);

  const int64_t now_ms = core::to_ms(ctx.clock.now().wall);
  e.id = *id;
  e.user_id = std::get<Subject>(who).user_id;
  e.key_id = caller.key_id;
  e.type = rules->command_types()[*type].name;
  e.command = *command;
  e.duration_ms = *duration;
  e.started_at_ms = started_at.value_or(now_ms - *duration);
  e.cpu_ms = *cpu;
  e.peak_memory_bytes = *memory;
  if (exit_code) e.exit_code = static_cast<int>(*exit_code);
  if (signal) e.signal = static_cast<int>(*signal);
  return e;
}

// Answers once the row is durable, from the store's writer thread.
void record_execution(const ApiContext& ctx, const http::Request& req, http::Responder respond) {
  auto parsed = with_json_caller(ctx.directory, req, false,
                                 [&](const identity::Caller& caller, JsonBody& body) {
                                   return execution_of(ctx, caller, body);
                                 });
  if (auto* r = std::get_if<http::Response>(&parsed)) return respond(std::move(*r));
  store::Execution& e = std::get<store::Execution>(parsed);
  std::string id = e.id;
  ctx.store.record_execution(std::move(e), [respond = std::move(respond),
                                            id = std::move(id)](core::Result<bool> stored) {
    // A record the database refused for what it holds was set aside: retrying cannot help.
    if (!stored.ok() && stored.status().code() == core::StatusCode::kInvalidArgument) {
      return respond(http::error_response(422, "record_refused", stored.status().message()));
    }
    if (!stored.ok()) {
      http::Response r = http::error_response(503, "store_unavailable", stored.status().message());
      r.headers.push_back({"Retry-After", "1"});
      return respond(std::move(r));
    }
    respond(
        http::json_response(stored.value() ? 201 : 200, {{"id", id}, {"stored", stored.value()}}));
  });
}

// Answered on the io thread from memory; with Redis once the counters reply, on their thread,
// so that a check waiting on them holds no io thread.
void check(const ApiContext& ctx, exec::QuotaCheck& quota_check, const http::Request& req,
           const http::Responder& respond) {
  // The body is parsed onto the stack: check_ask() copies out only strings and numbers, and a
  // small body allocates nothing.
  unsigned char body_buffer[1024];
  boost::json::monotonic_resource body_memory(body_buffer, sizeof body_buffer);
  auto asked = with_json_caller(
      ctx.directory, req, false,
      [&](const identity::Caller& caller, JsonBody& body) { return check_ask(ctx, caller, body); },
      &body_memory);
  if (auto* r = std::get_if<http::Response>(&asked)) return respond(std::move(*r));
  CheckAsk& ask = std::get<CheckAsk>(asked);
  if (quota_check.answers_inline()) {
    return respond(check_answer(ask, quota_check.check(ask.request())));
  }
  auto held = std::make_shared<CheckAsk>(std::move(ask));
  quota_check.check_async(
      held->request(), [held, respond](exec::QuotaAnswer a) { respond(check_answer(*held, a)); });
}

// The caller's quota status from `view`, the counters' reading.
http::Response quota_answer(const ApiContext& ctx, const exec::QuotaCheck& quota_check,
                            const identity::Caller& caller, const exec::QuotaView& view) {
  std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
  boost::json::array quotas;
  for (const core::QuotaLine& line : view.lines) {
    quotas.push_back(http::limit_json(line.state, *rules));
  }
  boost::json::object answer{{"user", caller.user_name},
                             {"tier", core::tier_name(caller.tier)},
                             {"quotas", std::move(quotas)},
                             {"counters", exec::source_name(view.source)}};
  if (ctx.reputation != nullptr) answer["reputation"] = ctx.reputation->to_json(caller.user_name);
  if (auto throttle = quota_check.throttle(caller.tier))
    answer["throttle"] = throttle_json(*throttle);
  return http::json_response(200, answer);
}

// As the check: answered when the counters have read the limits, on their thread with Redis.
void quota(const ApiContext& ctx, const exec::QuotaCheck& quota_check, const http::Request& req,
           http::Responder respond) {
  auto auth = authenticate(req, ctx.directory, false);
  if (auto* r = std::get_if<http::Response>(&auth)) return respond(std::move(*r));
  const identity::Caller& caller = std::get<identity::Caller>(auth);
  quota_check.quota_view_async(
      {caller.user_id, caller.key_id, caller.tier, caller.limit_scale},
      [ctx, &quota_check, caller, respond = std::move(respond)](exec::QuotaView view) {
        respond(quota_answer(ctx, quota_check, caller, view));
      });
}

}  // namespace

void add_public_api(http::Router& router, ApiContext ctx, exec::QuotaCheck& quota_check) {
  router.add_async("POST", "/api/v1/check",
                   [ctx, &quota_check](const http::Request& req, const http::Responder& respond) {
                     check(ctx, quota_check, req, respond);
                   });
  router.add_async("POST", "/api/v1/executions",
                   [ctx](const http::Request& req, http::Responder respond) {
                     record_execution(ctx, req, std::move(respond));
                   });
  router.add_async("GET", "/api/v1/quota",
                   [ctx, &quota_check](const http::Request& req, http::Responder respond) {
                     quota(ctx, quota_check, req, std::move(respond));
                   });
}

}  // namespace gaia::api
