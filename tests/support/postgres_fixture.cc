// The ctest fixture of a test binary's PostgreSQL cluster (postgres_cluster.h, fixture_main.h).

#include "support/fixture_main.h"
#include "support/postgres_cluster.h"

int main(int argc, char** argv) {
  using gaia::testing::PostgresCluster;
  return gaia::testing::run_fixture_main(
      argc, argv,
      {"PostgreSQL", &PostgresCluster::start_detached, &PostgresCluster::stop_detached});
}
