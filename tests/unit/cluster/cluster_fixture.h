#pragma once
// A fresh, migrated PostgreSQL database per test (the binary's shared cluster), with the
// store on it and the cluster store the nodes share, and SQL run as another client would.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>

#include "store/postgres/cluster_store.h"
#include "store/postgres/postgres_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"

namespace gaia::cluster {

class ClusterFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::shared_postgres().create_database();
    auto store = store::postgres::PostgresStore::open(url_, clock_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    auto cluster = store::postgres::PostgresClusterStore::open(url_);
    ASSERT_TRUE(cluster.ok()) << cluster.status().message();
    cluster_ = std::move(cluster.value());
  }

  // Runs `sql` on the database as another client; true if it succeeded.
  bool run_sql(const std::string& sql) {
    PGconn* db = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(db, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    EXPECT_TRUE(ok) << sql << ": " << PQerrorMessage(db);
    PQclear(r);
    PQfinish(db);
    return ok;
  }

  testing::ManualClock clock_;
  std::string url_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::ClusterStore> cluster_;
};

}  // namespace gaia::cluster
