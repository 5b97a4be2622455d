#pragma once
// A store of each backend for the analytics tests: SQLite in a temporary directory and
// PostgreSQL in the binary's throwaway cluster (a new database per test), fed through a real
// EventFeed to an Aggregator, with a Rollup over both, in the zone America/New_York.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <string>

#include "analytics/aggregator.h"
#include "analytics/rollup.h"
#include "store/event_feed.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace gaia::analytics {

enum class Backend { kSqlite, kPostgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// 2026-01-05 00:00:00 UTC (a Monday), the ManualClock's start; 2026-01-04 19:00 in New York.
inline constexpr int64_t kT0 = 1'767'571'200'000;
inline constexpr int64_t kMin = 60'000;
inline constexpr int64_t kHour = 3'600'000;

inline core::Calendar new_york() { return core::Calendar::in_zone("America/New_York").value(); }

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      auto pg = store::postgres::PostgresStore::open(testing::shared_postgres().create_database(),
                                                     clock_);
      ASSERT_TRUE(pg.ok()) << pg.status().message();
      store_ = std::move(pg.value());
    } else {
      auto lite = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
      ASSERT_TRUE(lite.ok()) << lite.status().message();
      store_ = std::move(lite.value());
    }
    feed_ = std::make_unique<store::EventFeed>(*store_, clock_);
    feed_->add_listener(&aggregator_);
    rollup_ = std::make_unique<Rollup>(*store_, aggregator_, Buckets(new_york()), Retention{});
  }

  void at(int64_t t_ms) { clock_.set_wall(core::WallTime(std::chrono::milliseconds(t_ms))); }

  void admit(uint64_t user, std::string type, uint64_t cost, int64_t t_ms) {
    at(t_ms);
    feed_->add_usage({user, user * 10, std::move(type), 0, cost});
  }
  void refuse(uint64_t user, std::string type, std::string limit, int64_t t_ms) {
    at(t_ms);
    feed_->record_violation({user, user * 10, std::move(type), std::move(limit), "cmd", t_ms});
  }
  void run(std::string id, uint64_t user, std::string type, int64_t started_ms, int64_t duration,
           int64_t cpu, int64_t memory, int exit_code) {
    store::Execution e;
    e.id = std::move(id);
    e.user_id = user;
    e.key_id = user * 10;
    e.type = std::move(type);
    e.command = "cmd";
    e.started_at_ms = started_ms;
    e.duration_ms = duration;
    e.cpu_ms = cpu;
    e.peak_memory_bytes = memory;
    e.exit_code = exit_code;
    // The clock moves to where the run ended, at most a day on: a figure may be as large as
    // a client can claim.
    at(started_ms + std::min<int64_t>(duration, 86'400'000));
    std::promise<core::Result<bool>> done;
    feed_->record_execution(std::move(e),
                            [&](core::Result<bool> r) { done.set_value(std::move(r)); });
    ASSERT_TRUE(done.get_future().get().ok());
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  Aggregator aggregator_;
  std::unique_ptr<store::EventFeed> feed_;
  std::unique_ptr<Rollup> rollup_;
};

}  // namespace gaia::analytics
