#include "app/stores.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/journal/resilient_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace gaia::app {

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;

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
  const auto deadline = clock.mono_now() + std::chrono::seconds(config.store_connect_retry_s);
  std::chrono::milliseconds backoff{250};
  for (;;) {
    Opened backend = open_once();
    if (backend.ok()) return std::move(backend.value());
    const auto left = deadline - clock.mono_now();
    if (backend.status().code() != core::StatusCode::kUnavailable ||
        left <= std::chrono::seconds(0)) {
      err << "[ERROR] " << backend.status().message() << std::endl;
      if (backend.status().code() == core::StatusCode::kUnavailable) {
        err << "[ERROR] the database stayed unreachable for " << config.store_connect_retry_s
            << " s (GAIA_STORE_CONNECT_RETRY_S); giving up" << std::endl;
      }
      return nullptr;
    }
    const auto wait = std::min<std::chrono::nanoseconds>(backoff, left);
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
  options.linger = std::chrono::milliseconds(config.store_flush_ms);
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

namespace {

// Who used units of a type on one local day: how usage rows and aggregates meet.
struct DayKey {
  uint64_t user_id;
  uint64_t key_id;
  std::string type;
  int64_t day_start_ms;
  auto operator<=>(const DayKey&) const = default;
};

// The minutes of each day in which units were admitted, latest first, with their units, as
// far as the analytics aggregates of [from_ms, now] hold them (they are flushed every few
// seconds: the last ones before a crash may be missing).
std::map<DayKey, std::vector<std::pair<int64_t, uint64_t>>> admitted_minutes(
    store::Store& store, const core::Calendar& calendar, int64_t from_ms, int64_t now_ms,
    std::ostream& err) {
  std::map<DayKey, std::vector<std::pair<int64_t, uint64_t>>> minutes;
  core::Period day;
  store::AggregateFilter filter{
      store::Granularity::kMinute, from_ms, now_ms + 1, std::nullopt, std::nullopt,
      std::string("admitted")};
  core::Status s = store.scan_aggregates(filter, [&](const store::AggregateRowView& row) {
    if (!day.contains(row.bucket_start_ms)) {
      day = calendar.period_at(core::CalendarPeriod::kDay, row.bucket_start_ms);
    }
    minutes[{row.user_id, row.key_id, std::string(row.type), day.start_ms}].emplace_back(
        row.bucket_start_ms, row.cost);
  });
  if (!s.ok()) {
    // Without them every unit counts as used at the end of its day: never more admitted.
    err << "[WARN] reading admitted minutes: " << s.message() << std::endl;
    return {};
  }
  for (auto& [key, list] : minutes) std::sort(list.rbegin(), list.rend());
  return minutes;
}

}  // namespace

bool restore_usage(store::Store& store, const identity::Directory& directory,
                   const core::RuleSet& rules, core::CounterBackend& counters, core::Instant now,
                   std::ostream& err) {
  const int64_t now_ms = core::to_ms(now.wall);
  int64_t longest_window_ms = 0;
  for (const core::Rule& rule : rules.rules()) {
    for (const core::LimitSpec& limit : rule.limits) {
      if (limit.kind == core::LimitKind::kRate) {
        longest_window_ms = std::max<int64_t>(longest_window_ms, limit.window.count());
      }
    }
  }
  // No calendar period is longer than a month: 32 days back covers every current one; a
  // rate window may reach further back (windows are at most 2^40 ms: no overflow).
  const int64_t since_ms = now_ms - std::max(32 * kDayMs, longest_window_ms + kDayMs);
  auto rows = store.usage_since(since_ms);
  if (!rows.ok()) {
    err << "[ERROR] reading usage: " << rows.status().message() << std::endl;
    return false;
  }
  // Usage is stored per day; a rate window needs to know when in the day. Units the minute
  // aggregates place count from the end of their minute, the rest from the end of their day
  // (or now): each as late as it may have been used, so a restart never lets a window admit
  // more than its limit. Minutes matter only in the last day: older units sit in windows of
  // more than a day, where the end of their day is close enough.
  const auto minutes =
      longest_window_ms == 0
          ? std::map<DayKey, std::vector<std::pair<int64_t, uint64_t>>>{}
          : admitted_minutes(store, rules.calendar(),
                             now_ms - std::min(longest_window_ms, kDayMs) - kMinuteMs, now_ms, err);
  for (const store::Usage& u : rows.value()) {
    auto user = directory.user_by_id(u.user_id);
    auto type = rules.type_id(u.type);
    if (!user || !type) continue;  // a deleted user or a retired command type
    const core::Principal principal{u.user_id, u.key_id, user->tier};
    // Past what a counter holds, units stay at its largest value, never wrap.
    auto restore = [&](uint64_t units, int64_t at_ms) {
      const auto cost = static_cast<uint32_t>(std::min<uint64_t>(units, UINT32_MAX));
      counters.restore({principal, *type, cost}, std::min(at_ms, now_ms), now);
    };
    uint64_t left = u.used;
    auto placed = minutes.find({u.user_id, u.key_id, u.type, u.day_start_ms});
    if (placed != minutes.end()) {
      for (const auto& [minute_ms, units] : placed->second) {
        if (left == 0) break;
        const uint64_t here = std::min(units, left);
        restore(here, minute_ms + kMinuteMs - 1);
        left -= here;
      }
    }
    if (left > 0) {
      const int64_t day_end_ms =
          rules.calendar().period_at(core::CalendarPeriod::kDay, u.day_start_ms).end_ms;
      restore(left, day_end_ms - 1);
    }
  }
  return true;
}

}  // namespace gaia::app
