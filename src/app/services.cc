#include "app/services.h"

#include <chrono>
#include <filesystem>

#include "app/admin_bootstrap.h"
#include "app/stores.h"
#include "core/local_counters.h"
#include "core/redact_url.h"

namespace gaia::app {

namespace {

// The key hasher, the directory of users and keys, and the admin key.
bool open_accounts(Services& s, const Config& config, const core::Clock& clock, store::Store& store,
                   std::ostream& out, std::ostream& err) {
  std::filesystem::path secret = std::filesystem::path(config.data_dir) / "key.secret";
  auto hasher = identity::KeyHasher::from_file(secret.string());
  if (!hasher.ok()) {
    err << "[ERROR] " << hasher.status().message() << std::endl;
    return false;
  }
  auto directory = identity::Directory::load(store, hasher.value());
  if (!directory.ok()) {
    err << "[ERROR] loading users and keys: " << directory.status().message() << std::endl;
    return false;
  }
  s.directory = std::move(directory.value());
  s.started = clock.now();
  return bootstrap_admin(config, *s.directory, core::to_ms(s.started.wall), out, err);
}

// The limiter: the built-in rules of the configured time zone, the rule book's stored rules
// over them, and the usage of the current calendar periods.
bool load_limiter(Services& s, const Config& config, store::Store& store, std::ostream& out,
                  std::ostream& err) {
  out << "[INIT] Initializing Rate Limiting Service..." << std::endl;
  auto calendar = core::Calendar::in_zone(config.time_zone);
  if (!calendar.ok()) {
    err << "[ERROR] " << calendar.status().message() << std::endl;
    return false;
  }
  s.rule_options = core::RuleSetOptions{core::default_command_types(), calendar.value(), {}};
  auto defaults = core::RuleSet::compile(core::default_rules(), s.rule_options);
  if (!defaults.ok()) {
    err << "[ERROR] rules: " << defaults.status().message() << std::endl;
    return false;
  }
  s.limiter = std::make_unique<core::Limiter>(defaults.value(), core::LimiterOptions{});
  auto rule_book = rules::RuleBook::load(store, *s.limiter, s.rule_options);
  if (!rule_book.ok()) {
    err << "[ERROR] rules: " << rule_book.status().message() << std::endl;
    return false;
  }
  s.rule_book = std::move(rule_book.value());
  core::LocalCounters local(*s.limiter);
  if (!restore_usage(store, *s.directory, *s.limiter->rules(), local, s.started, err)) {
    return false;
  }
  out << "[INIT] ✓ Rate Limiting Service initialized" << std::endl;
  return true;
}

// The confirmation patterns and, when enabled, the reviewer.
bool load_confirmation(Services& s, const Config& config, store::Store& store, std::ostream& err) {
  auto patterns = confirm::PatternBook::load(store, core::to_ms(s.started.wall));
  if (!patterns.ok()) {
    err << "[ERROR] confirmation patterns: " << patterns.status().message() << std::endl;
    return false;
  }
  s.patterns = std::move(patterns.value());
  if (!config.confirm_ai_enabled) return true;
  auto reviewer = api::ReviewerClient::make(
      {config.confirm_reviewer_url, std::chrono::milliseconds(config.confirm_reviewer_timeout_ms),
       config.confirm_reviewer_max_inflight, config.ca_file});
  if (!reviewer.ok()) {
    err << "[ERROR] confirmation reviewer: " << reviewer.status().message() << std::endl;
    return false;
  }
  s.reviewer = std::move(reviewer.value());
  return true;
}

// Reputation, kept in the store; from now on it scales the directory's limits.
bool load_reputation(Services& s, const core::Clock& clock, store::Store& store,
                     std::ostream& err) {
  s.reputation = std::make_unique<reputation::ReputationBook>(core::ReputationConfig{}, clock);
  if (core::Status st = s.reputation->load(store); !st.ok()) {
    err << "[ERROR] reputation: " << st.message() << std::endl;
    return false;
  }
  s.directory->set_limit_scales(s.reputation->limit_scales());
  return true;
}

// The event feed over the store, with reputation listening first.
void make_feed(Services& s, const core::Clock& clock, store::Store& store) {
  s.feed = std::make_unique<store::EventFeed>(store, clock);
  s.reputation_listener = std::make_unique<ReputationListener>(*s.reputation, s.user_names());
  s.feed->add_listener(s.reputation_listener.get());
}

// The aggregator (listening to the feed), the rollup that keeps its aggregates and the
// detectors that read them.
void make_analytics(Services& s, const Config& config, const core::Clock& clock,
                    store::Store& store) {
  s.aggregator = std::make_unique<analytics::Aggregator>();
  s.feed->add_listener(s.aggregator.get());
  const auto days = [](unsigned n) { return std::chrono::hours(24) * n; };
  s.rollup = std::make_unique<analytics::Rollup>(
      store, *s.aggregator, analytics::Buckets(s.rule_options.calendar),
      analytics::Retention{days(config.analytics_minute_days), days(config.analytics_hour_days),
                           days(config.analytics_day_days)});
  s.reputation_moves = std::make_unique<ReputationMoves>(*s.reputation);
  s.limiter_quotas = std::make_unique<LimiterQuotas>(store, *s.limiter, *s.directory, clock);
  s.detectors = std::make_unique<const analytics::Detectors>(
      store, s.rollup->buckets(),
      [user_name = s.user_names()](uint64_t id) {
        return user_name(id).value_or(std::to_string(id));
      },
      s.reputation_moves.get(), s.limiter_quotas.get());
}

// The confirmation policy (patterns, then the reviewer) and the executor's hook into it.
void make_confirmer(Services& s, const Config& config, const core::Clock& clock,
                    std::ostream& out) {
  s.decisions = std::make_unique<CountedDecisions>(*s.feed, *s.registry);
  s.confirmer = std::make_unique<confirm::Confirmer>(
      *s.patterns, s.reviewer.get(), s.reputation.get(), *s.decisions, clock,
      confirm::ConfirmerOptions{*confirm::parse_verdict(config.confirm_fallback)});
  s.confirm_hook = std::make_unique<ConfirmHook>(*s.confirmer, *s.limiter);
  out << "[INIT] ✓ Confirmation policy: " << s.patterns->list().size() << " patterns, "
      << (s.reviewer ? "reviewer " + core::redacted_url(config.confirm_reviewer_url) +
                           " (fallback " + config.confirm_fallback + ")"
                     : std::string("no reviewer"))
      << std::endl;
}

}  // namespace

std::unique_ptr<Services> Services::make(const Config& config, const core::Clock& clock,
                                         store::Store& store, std::ostream& out,
                                         std::ostream& err) {
  std::unique_ptr<Services> s(new Services());
  if (!open_accounts(*s, config, clock, store, out, err)) return nullptr;
  if (!load_limiter(*s, config, store, out, err)) return nullptr;
  if (!load_confirmation(*s, config, store, err)) return nullptr;
  if (!load_reputation(*s, clock, store, err)) return nullptr;
  make_feed(*s, clock, store);
  make_analytics(*s, config, clock, store);
  s->registry = std::make_unique<metrics::MetricsRegistry>();
  make_confirmer(*s, config, clock, out);
  s->metrics = std::make_unique<api::ServiceMetrics>(*s->registry, store);
  if (config.redis_url.empty()) {
    s->quota =
        std::make_unique<exec::QuotaCheck>(*s->limiter, *s->feed, clock, *s->metrics,
                                           exec::QuotaCheckOptions{.warn_at = config.warn_at});
    return s;
  }
  s->shared_counters = SharedCounters::connect(config, clock, *s->registry, *s->limiter, store,
                                               *s->directory, out, err);
  if (!s->shared_counters) return nullptr;
  s->quota =
      std::make_unique<exec::QuotaCheck>(*s->limiter, s->shared_counters->counters(), *s->feed,
                                         clock, *s->metrics, s->shared_counters->quota_options());
  return s;
}

Services::UserName Services::user_names() const {
  return [directory = directory.get()](uint64_t id) -> std::optional<std::string> {
    auto user = directory->user_by_id(id);
    return user ? std::optional<std::string>(user->name) : std::nullopt;
  };
}

}  // namespace gaia::app
