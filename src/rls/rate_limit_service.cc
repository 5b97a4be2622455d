#include "rls/rate_limit_service.h"

#include <algorithm>
#include <boost/container/static_vector.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "http/ratelimit_fields.h"

namespace gaia::rls {
namespace {

namespace v3 = envoy::service::ratelimit::v3;
using Response = v3::RateLimitResponse;
using Limit = Response::RateLimit;

constexpr int kMaxEntries = 16;
constexpr uint64_t kMaxCost = 1'000'000;  // as POST /api/v1/check's "cost"
// How often the store's health is read for the failure-policy note (it takes the writer's lock).
constexpr std::chrono::seconds kHealthEvery{1};

grpc::Status invalid(const std::string& field, const std::string& message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, field + ": " + message};
}

RlsCode code_of(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return RlsCode::kInvalidArgument;
    case grpc::StatusCode::NOT_FOUND:
      return RlsCode::kNotFound;
    case grpc::StatusCode::PERMISSION_DENIED:
      return RlsCode::kPermissionDenied;
    case grpc::StatusCode::UNAVAILABLE:
      return RlsCode::kUnavailable;
    default:
      return RlsCode::kInternal;
  }
}

// A rate window as the largest unit that fits in it (its name carries the exact window).
Limit::Unit unit_of_window(int64_t window_ms) {
  if (window_ms >= 86'400'000) return Limit::DAY;
  if (window_ms >= 3'600'000) return Limit::HOUR;
  if (window_ms >= 60'000) return Limit::MINUTE;
  return Limit::SECOND;
}

Limit::Unit unit_of(const core::CompiledLimit& limit) {
  switch (limit.kind) {
    case core::LimitKind::kRate:
      return unit_of_window(limit.window_ms);
    case core::LimitKind::kCalendar:
      // Envoy has no week: a week is 7 days, given as DAY with the name "<type>-week".
      return limit.period == core::CalendarPeriod::kMonth ? Limit::MONTH : Limit::DAY;
    case core::LimitKind::kConcurrency:
      break;
  }
  return Limit::UNKNOWN;  // commands at once: no unit of time
}

// `item` appended to the list `list` (`a, b`): several descriptors give one item each.
void append_item(std::string& list, std::string item) {
  if (list.empty()) {
    list = std::move(item);
    return;
  }
  list += ", ";
  list += item;
}

// The status of one checked descriptor (`req`), and its share of the response fields.
void fill_status(const exec::QuotaRequest& req, const exec::QuotaAnswer& a,
                 Response::DescriptorStatus& status, std::string& policy_field,
                 std::string& ratelimit_field) {
  const core::Decision& d = a.decision;
  status.set_code(d.allowed ? Response::OK : Response::OVER_LIMIT);
  if (!d.has_deciding) return;
  const core::LimitState& s = d.deciding;
  // The fields' quota is the limit as the rules state it, as POST /api/v1/check writes it:
  // stable while reputation scales the limit (requests_per_unit is the scaled one).
  const uint32_t quota = a.rules->stated_amount(req.principal, req.type, s.limit);
  std::string policy = http::policy_field(s, *a.rules, quota);
  Limit& limit = *status.mutable_current_limit();
  // The field opens with the limit's name, quoted (`"shell-day";q=500`): no second build of it.
  limit.set_name(policy.data() + 1, policy.find('"', 1) - 1);
  limit.set_requests_per_unit(s.limit.amount);
  limit.set_unit(unit_of(s.limit));
  status.set_limit_remaining(d.allowed ? s.remaining : 0);
  if (s.reset_ms > 0) {
    google::protobuf::Duration& reset = *status.mutable_duration_until_reset();
    reset.set_seconds(s.reset_ms / 1000);
    reset.set_nanos(static_cast<int32_t>(s.reset_ms % 1000 * 1'000'000));
  }
  append_item(policy_field, std::move(policy));
  append_item(ratelimit_field, http::ratelimit_field(s, *a.rules, !d.allowed, quota));
}

void add_header(Response& response, std::string_view key, std::string value) {
  auto* h = response.add_response_headers_to_add();
  h->set_key(key.data(), key.size());  // into a reused message's string: no allocation
  h->set_value(std::move(value));
}

// Why a whole request is refused before any descriptor is checked: the trailer that says so.
struct Refusal {
  const char* trailer;
  const char* reason;
};

std::optional<Refusal> refusal_of_all(exec::QuotaOutcome outcome) {
  switch (outcome) {
    case exec::QuotaOutcome::kStorePaused:
      // GAIA_STORE_FAILURE=closed and the database is away.
      return Refusal{"gaia-store", "unavailable; failure policy closed: admissions paused"};
    case exec::QuotaOutcome::kCountersUnavailable:
      // GAIA_REDIS_FAILURE=closed and the shared counters did not answer in time.
      return Refusal{"gaia-counters", "unavailable; failure policy closed: admissions refused"};
    case exec::QuotaOutcome::kOverloaded:
    case exec::QuotaOutcome::kHeld:
      // Load throttling at factor 0.
      return Refusal{"gaia-throttle", "factor 0: the machine is overloaded"};
    case exec::QuotaOutcome::kAdmitted:
    case exec::QuotaOutcome::kRefused:
      break;
  }
  return std::nullopt;
}

}  // namespace

RateLimitService::RateLimitService(std::vector<Domain> domains, TrustedPeers trusted,
                                   exec::QuotaCheck& quota, const identity::Directory& directory,
                                   RlsMetrics& metrics, const core::Clock& clock)
    : domains_(std::move(domains)),
      trusted_(std::move(trusted)),
      quota_(quota),
      directory_(directory),
      metrics_(metrics),
      clock_(clock) {}

void RateLimitService::ShouldRateLimit(grpc::ServerContext& context,
                                       const v3::RateLimitRequest& request, Response& response,
                                       Call& call) {
  call.started_ = clock_.mono_now();
  call.context_ = &context;
  call.request_ = &request;
  call.response_ = &response;
  call.domain_ = find_domain(domains_, request.domain());
  call.next_ = 0;
  call.policy_field_.clear();
  call.ratelimit_field_.clear();
  call.retry_after_s_ = -1;
  if (grpc::Status refused = plan(call); !refused.ok()) return finish(call, refused);
  response.set_overall_code(Response::OK);
  check_next(call);
}

grpc::Status RateLimitService::plan(Call& call) {
  const v3::RateLimitRequest& request = *call.request_;
  const Domain* domain = call.domain_;
  call.plan_.clear();
  // --- Validate the whole request: nothing is checked unless all of it is good. ---
  if (request.domain().empty()) return invalid("domain", "is required");
  if (domain == nullptr) {
    return {grpc::StatusCode::NOT_FOUND,
            "domain: no mapping named \"" + request.domain() + "\" (rls_domains)"};
  }
  const int n = request.descriptors_size();
  if (n == 0) return invalid("descriptors", "needs at least one descriptor");
  if (n > kMaxDescriptors) {
    return invalid("descriptors", "at most " + std::to_string(kMaxDescriptors) + " per request");
  }
  if (request.hits_addend() > kMaxCost) {
    return invalid("hits_addend", "at most " + std::to_string(kMaxCost));
  }
  call.rules_ = quota_.rules();
  const core::RuleSet& rules = *call.rules_;
  // Only the descriptors the request has are made (an array of kMaxDescriptors was a tenth of
  // the service's own instructions on a one-descriptor call).
  call.plan_.resize(static_cast<size_t>(n));
  Entry entries[kMaxEntries];
  for (int i = 0; i < n; ++i) {
    const auto& descriptor = request.descriptors(i);
    // Errors only: the field's path, built when one is answered.
    const auto at = [i] { return "descriptors[" + std::to_string(i) + "]"; };
    if (descriptor.entries_size() > kMaxEntries) {
      return invalid(at() + ".entries", "at most " + std::to_string(kMaxEntries) + " entries");
    }
    for (int j = 0; j < descriptor.entries_size(); ++j) {
      entries[j] = {descriptor.entries(j).key(), descriptor.entries(j).value()};
    }
    auto ask = ask_of(*domain, std::span<const Entry>(entries, descriptor.entries_size()));
    if (auto* problem = std::get_if<core::FieldError>(&ask)) {
      return invalid(at() + "." + problem->field, problem->message);
    }
    Planned& p = call.plan_[i];
    p.ask = std::get<Ask>(ask);
    auto type = rules.type_id(p.ask.type);
    if (!type) {
      return invalid(at() + ".entries[" + std::to_string(p.ask.type_entry) + "].value",
                     "no command type named \"" + std::string(p.ask.type) + "\"");
    }
    p.type = *type;
    if (descriptor.has_hits_addend()) {
      if (descriptor.hits_addend().value() > kMaxCost) {
        return invalid(at() + ".hits_addend", "at most " + std::to_string(kMaxCost));
      }
      p.cost = static_cast<uint32_t>(descriptor.hits_addend().value());  // 0: read only
    } else {
      p.cost = request.hits_addend() == 0 ? 1 : request.hits_addend();
    }
    if (p.ask.kind == PrincipalKind::kUser && !trusted_.trusts(call.context_->peer())) {
      return {grpc::StatusCode::PERMISSION_DENIED,
              at() + ".entries[" + std::to_string(p.ask.principal_entry) +
                  "]: a user entry is accepted only from a trusted peer (rls_trusted_peers)"};
    }
  }
  return grpc::Status::OK;
}

void RateLimitService::check_next(Call& call) {
  Response& response = *call.response_;
  for (; call.next_ < static_cast<int>(call.plan_.size()); ++call.next_) {
    const Planned& p = call.plan_[call.next_];
    exec::QuotaRequest& req = call.asking_;
    req = exec::QuotaRequest{};
    req.rules = call.rules_;
    req.type = p.type;
    req.cost = p.cost;
    if (p.ask.kind == PrincipalKind::kApiKey) {
      std::optional<identity::Caller> caller = directory_.authenticate(p.ask.principal);
      if (caller) {
        req.user_id = caller->user_id;
        req.key_id = caller->key_id;
        req.principal = {caller->user_id, caller->key_id, caller->tier, caller->limit_scale};
      }
    } else if (std::optional<store::User> user = directory_.find_user(p.ask.principal)) {
      req.user_id = user->id;
      req.principal = {user->id, 0, user->tier, directory_.limit_scale(user->id)};
    }
    if (req.user_id == 0) {
      // An unknown or revoked key, or an unknown user: refused, never admitted.
      response.add_statuses()->set_code(Response::OVER_LIMIT);
      response.set_overall_code(Response::OVER_LIMIT);
      continue;
    }
    // Answered inline from memory; with Redis, on the counters' thread, which goes on from
    // there: no thread waits for it.
    quota_.check_async(req, [this, &call](exec::QuotaAnswer a) { checked(call, std::move(a)); });
    return;
  }
  finish_checked(call);
}

void RateLimitService::checked(Call& call, exec::QuotaAnswer a) {
  Response& response = *call.response_;
  if (std::optional<Refusal> all = refusal_of_all(a.outcome)) {
    // Nothing was checked or consumed: every descriptor is refused alike, with Retry-After,
    // and the trailer says why (Envoy cannot hold a request, so a wait is a refusal too).
    response.clear_statuses();
    for (size_t k = 0; k < call.plan_.size(); ++k) {
      response.add_statuses()->set_code(Response::OVER_LIMIT);
    }
    response.set_overall_code(Response::OVER_LIMIT);
    add_header(response, "Retry-After", std::to_string(a.retry_after_s));
    call.context_->AddTrailingMetadata(all->trailer, all->reason);
    return finish(call, grpc::Status::OK);
  }
  fill_status(call.asking_, a, *response.add_statuses(), call.policy_field_, call.ratelimit_field_);
  if (!a.admitted()) {
    response.set_overall_code(Response::OVER_LIMIT);
    call.retry_after_s_ = std::max(call.retry_after_s_, a.retry_after_s);
  }
  ++call.next_;
  check_next(call);
}

void RateLimitService::finish_checked(Call& call) {
  Response& response = *call.response_;
  if (!call.policy_field_.empty()) {
    add_header(response, "RateLimit-Policy", std::move(call.policy_field_));
    add_header(response, "RateLimit", std::move(call.ratelimit_field_));
  }
  if (call.retry_after_s_ >= 0) {
    add_header(response, "Retry-After", std::to_string(call.retry_after_s_));
  }
  if (store_degraded()) {
    call.context_->AddTrailingMetadata(
        "gaia-store", "unavailable; failure policy open: admitting, writes journalled");
  }
  finish(call, grpc::Status::OK);
}

void RateLimitService::finish(Call& call, const grpc::Status& status) {
  const Response& response = *call.response_;
  const RlsCode code = !status.ok() ? code_of(status.error_code())
                       : response.overall_code() == Response::OVER_LIMIT ? RlsCode::kOverLimit
                                                                         : RlsCode::kOk;
  // The metrics were given the same domains, in the same order.
  metrics_.record(call.domain_ != nullptr ? static_cast<size_t>(call.domain_ - domains_.data())
                                          : RlsMetrics::kUnknownDomain,
                  code, std::chrono::duration<double>(clock_.mono_now() - call.started_).count());
  call.rules_.reset();  // a call kept for later does not pin an old rule set
  call.finish(status);
}

bool RateLimitService::store_degraded() {
  const int64_t now_ms = core::to_ms(clock_.mono_now());
  int64_t due = health_due_ms_.load(std::memory_order_relaxed);
  // One caller a second reads the health (it takes the writer's lock); the others see the last.
  if (now_ms >= due && health_due_ms_.compare_exchange_strong(
                           due, now_ms + kHealthEvery.count() * 1000, std::memory_order_relaxed)) {
    store_degraded_.store(!quota_.store_health().ok, std::memory_order_relaxed);
  }
  return store_degraded_.load(std::memory_order_relaxed);
}

}  // namespace gaia::rls
