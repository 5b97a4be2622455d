#pragma once
// The store gaia_server runs on: the configured backend (PostgreSQL when DATABASE_URL names
// one, else SQLite), opened with retry while the database cannot be reached, wrapped so
// that writes survive it going away (store/journal), with what an earlier run journalled
// replayed; and the limiter's usage restored from it.
//
// Threads: the main thread, at start-up.

#include <memory>
#include <ostream>

#include "app/config.h"
#include "core/clock.h"
#include "core/counter_backend.h"
#include "core/limiter.h"
#include "identity/directory.h"
#include "store/store.h"

namespace gaia::app {

// The journal-wrapped store, writing [INIT] progress to `out`; nullptr, with the reason on
// `err`, when the database stays unreachable (config.store_connect_retry_s) or fails
// otherwise, or the journal cannot be opened. `clock` must outlive the store.
std::unique_ptr<store::Store> open_store(const Config& config, const core::Clock& clock,
                                         std::ostream& out, std::ostream& err);

// Gives `counters` back the usage recorded in every current calendar period and every rate
// window of `rules` (each unit as late as the store says it may have been used: never
// earlier, so a limit of N admits at most N across a restart); false, with the reason on
// `err`, when the usage cannot be read.
bool restore_usage(store::Store& store, const identity::Directory& directory,
                   const core::RuleSet& rules, core::CounterBackend& counters, core::Instant now,
                   std::ostream& err);

}  // namespace gaia::app
