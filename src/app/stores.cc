#include "app/stores.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/journal/resilient_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace gaia::app {

namespace {

constexpr int64_t kDayMs = 86'400'000;

// The configured backend, retried with backoff for store_connect_retry_s while the database
// cannot be reached.
std::unique_ptr<store::Store> open_backend(const Config& config, const core::Clock& clock,
                                           std::ostream& err) {
  using Opened = core::Result<std::unique_ptr<store::Store>>;
  auto open_once = [&]() -> Opened {
    if (!config.postgres_url.empty()) {
      auto pg = store::postgres::PostgresStore::open(config.postgres_url, clock);
      if (!pg.ok()) return pg.status();
      return std::unique_ptr<store::Store>(std::move(pg.value()));
    }
    auto lite = store::sqlite::SqliteStore::open(config.sqlite_path, clock);
    if (!lite.ok()) return lite.status();
    return std::unique_ptr<store::Store>(std::move(lite.value()));
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.store_connect_retry_s);
  std::chrono::milliseconds backoff{250};
  for (;;) {
    Opened backend = open_once();
    if (backend.ok()) return std::move(backend.value());
    const auto left = deadline - std::chrono::steady_clock::now();
    if (backend.status().code() != core::StatusCode::kUnavailable ||
        left <= std::chrono::seconds(0)) {
      err << "[ERROR] " << backend.status().message() << std::endl;
      if (backend.status().code() == core::StatusCode::kUnavailable) {
        err << "[ERROR] the database stayed unreachable for " << config.store_connect_retry_s
            << " s (GAIA_STORE_CONNECT_RETRY_S); giving up" << std::endl;
      }
      return nullptr;
    }
    const auto wait = std::min<std::chrono::steady_clock::duration>(backoff, left);
    err << "[ERROR] " << backend.status().message() << "; retrying in "
        << std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() << " ms"
        << std::endl;
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace

std::unique_ptr<store::Store> open_store(const Config& config, const core::Clock& clock,
                                         std::ostream& out, std::ostream& err) {
  out << (config.postgres_url.empty() ? "[INIT] Initializing SQLite database..."
                                      : "[INIT] Initializing PostgreSQL database...")
      << std::endl;
  std::unique_ptr<store::Store> backend = open_backend(config, clock, err);
  if (!backend) return nullptr;
  auto journal = store::journal::Journal::open(std::filesystem::path(config.data_dir) / "journal");
  if (!journal.ok()) {
    err << "[ERROR] " << journal.status().message() << std::endl;
    return nullptr;
  }
  const uint64_t journalled = journal.value()->records();
  store::journal::ResilientOptions options;
  options.failure = config.store_failure == StoreFailure::kClosed
                        ? store::journal::FailureMode::kClosed
                        : store::journal::FailureMode::kOpen;
  auto store = std::make_unique<store::journal::ResilientStore>(
      std::move(backend), std::move(journal.value()), clock, options);
  if (journalled > 0) {
    out << "[INIT] Replaying " << journalled << " journalled writes..." << std::endl;
    if (core::Status s = store->replay(); !s.ok()) {
      err << "[WARN] journal replay: " << s.message() << " (retried in the background)"
          << std::endl;
    }
  }
  out << "[INIT] ✓ Database connection established" << std::endl;
  return store;
}

bool restore_usage(store::Store& store, const identity::Directory& directory,
                   const core::RuleSet& rules, core::CounterBackend& counters, core::Instant now,
                   std::ostream& err) {
  // No calendar period is longer than a month: 32 days back covers every current one.
  auto rows = store.usage_since(core::to_ms(now.wall) - 32 * kDayMs);
  if (!rows.ok()) {
    err << "[ERROR] reading usage: " << rows.status().message() << std::endl;
    return false;
  }
  for (const store::Usage& u : rows.value()) {
    auto user = directory.user_by_id(u.user_id);
    auto type = rules.type_id(u.type);
    if (!user || !type) continue;  // a deleted user or a retired command type
    // A day's usage past what a counter holds stays at its largest value, never wraps.
    const auto used = static_cast<uint32_t>(std::min<uint64_t>(u.used, UINT32_MAX));
    counters.restore({{u.user_id, u.key_id, user->tier}, *type, used}, u.day_start_ms, now);
  }
  return true;
}

}  // namespace gaia::app
