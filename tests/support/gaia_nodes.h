#pragma once
// GaiaNodes: several gaia_server processes on one PostgreSQL database, as a cluster runs: each
// in a temporary directory of its own, on a loopback port the kernel picks, with the same
// admin key. Every wait is bounded (ServerProcess), so a test never hangs.
//
// Example:
//   GaiaNodes nodes(kAdminKey, postgres.create_database());
//   ASSERT_TRUE(nodes.start(3));
//   http_request(nodes.port(1), "GET", "/api/admin/cluster", kAdminKey);
//   nodes.stop();
//
// Not thread-safe: call from the test's main thread.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/server_process.h"
#include "support/temp_dir.h"

namespace gaia::testing {

class GaiaNodes {
 public:
  GaiaNodes(std::string admin_key, std::string database_url)
      : admin_key_(std::move(admin_key)), database_url_(std::move(database_url)) {}
  ~GaiaNodes();  // kills the nodes still running

  // Starts `n` more nodes, one after another, each with the shared environment and
  // `extra_env`; fails, with the node's output, if one does not come to serve.
  ::testing::AssertionResult start(size_t n, const std::vector<std::string>& extra_env = {});

  size_t size() const { return nodes_.size(); }
  uint16_t port(size_t i) const { return nodes_.at(i).port; }
  ServerProcess& process(size_t i) { return *nodes_.at(i).process; }

  // SIGTERM to every node, then expects each to exit cleanly.
  ::testing::AssertionResult stop();

 private:
  struct Node {
    std::unique_ptr<TempDir> dir;
    std::unique_ptr<ServerProcess> process;
    uint16_t port = 0;
  };

  const std::string admin_key_;
  const std::string database_url_;
  std::vector<Node> nodes_;
};

}  // namespace gaia::testing
