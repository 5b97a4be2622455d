#pragma once
// Services: the domain objects of gaia_server, built on its store by make() in the order of
// the members below (and destroyed in the reverse order):
//   accounts      the key hasher and the directory of users and keys, with the admin key;
//   limiting      the rule options of the configured time zone, the limiter and the rule book,
//                 with the usage of the current calendar periods restored;
//   confirmation  the pattern book and, when CLAUDE_CONFIRM_AI_ENABLED, the reviewer;
//   reputation    the reputation book, loaded, scaling the directory's limits;
//   the feed      the store as every path writes through it, and its listeners: reputation,
//                 then the analytics aggregator (the live side adds its own later);
//   analytics     the rollup, the detectors and what they read;
//   the confirmer and the executor's confirmation hook; the metrics registry and figures;
//   with GAIA_REDIS_URL, the counters shared in Redis;
//   the quota check every front end asks (the HTTP API, Envoy's rate limit service).
//
// Ownership: borrows the config, clock and store given to make(), which must outlive it.
// Threads: made on the main thread; each service says which threads may use it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "analytics/aggregator.h"
#include "analytics/detectors.h"
#include "analytics/rollup.h"
#include "api/reviewer_client.h"
#include "api/service_metrics.h"
#include "app/analytics_sources.h"
#include "app/config.h"
#include "app/confirm_hook.h"
#include "app/counted_decisions.h"
#include "app/reputation_listener.h"
#include "app/shared_counters.h"
#include "confirm/confirmer.h"
#include "confirm/pattern_book.h"
#include "core/limiter.h"
#include "core/rule_set.h"
#include "exec/quota_check.h"
#include "identity/directory.h"
#include "metrics/registry.h"
#include "reputation/reputation_book.h"
#include "rules/rule_book.h"
#include "store/event_feed.h"

namespace gaia::app {

struct Services {
  // The name of a user by id, or nullopt for one no longer known.
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // Every service, writing [INIT] progress to `out`; nullptr, with the first failure on `err`,
  // when one cannot be made (what was made is destroyed again).
  static std::unique_ptr<Services> make(const Config& config, const core::Clock& clock,
                                        store::Store& store, std::ostream& out, std::ostream& err);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  // The directory's user names; valid while the services live.
  UserName user_names() const;

  core::Instant started;  // read once the directory is loaded
  std::unique_ptr<identity::Directory> directory;
  core::RuleSetOptions rule_options;
  std::unique_ptr<core::Limiter> limiter;
  std::unique_ptr<rules::RuleBook> rule_book;
  std::unique_ptr<confirm::PatternBook> patterns;
  std::unique_ptr<api::ReviewerClient> reviewer;  // null without CLAUDE_CONFIRM_AI_ENABLED
  std::unique_ptr<reputation::ReputationBook> reputation;
  // Every path writes admissions, refusals and executions through it: those who follow them
  // listen to it. Listeners are added before it is shared.
  std::unique_ptr<store::EventFeed> feed;
  std::unique_ptr<ReputationListener> reputation_listener;
  // Analytics: aggregates kept in memory as events arrive, flushed and compacted by chores of
  // their own (store I/O never holds up the limiter's sweeps), read by reports and detectors.
  std::unique_ptr<analytics::Aggregator> aggregator;
  std::unique_ptr<analytics::Rollup> rollup;
  std::unique_ptr<ReputationMoves> reputation_moves;
  std::unique_ptr<LimiterQuotas> limiter_quotas;
  std::unique_ptr<const analytics::Detectors> detectors;
  // Made before the confirmer, which counts its decisions in it; outlives what registers.
  std::unique_ptr<metrics::MetricsRegistry> registry;
  std::unique_ptr<CountedDecisions> decisions;  // the feed's decision log, counted
  std::unique_ptr<confirm::Confirmer> confirmer;
  std::unique_ptr<ConfirmHook> confirm_hook;
  std::unique_ptr<api::ServiceMetrics> metrics;
  std::unique_ptr<SharedCounters> shared_counters;  // null without GAIA_REDIS_URL
  // Over the feed, counted in `metrics`: one check, one set of counters and violations.
  std::unique_ptr<exec::QuotaCheck> quota;

 private:
  Services() = default;
};

}  // namespace gaia::app
