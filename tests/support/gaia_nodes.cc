#include "support/gaia_nodes.h"

#include <signal.h>

#include <filesystem>

namespace gaia::testing {

GaiaNodes::~GaiaNodes() = default;  // each ServerProcess kills its node

::testing::AssertionResult GaiaNodes::start(size_t n, const std::vector<std::string>& extra_env) {
  for (size_t i = 0; i < n; ++i) {
    Node node;
    node.dir = std::make_unique<TempDir>();
    // Every node hashes keys with the same secret, or a key made on one is unknown on the
    // others: the later nodes get the first one's.
    if (!nodes_.empty()) {
      std::filesystem::copy_file(nodes_.front().dir->file("key.secret"),
                                 node.dir->file("key.secret"));
    }
    std::vector<std::string> env = {"DATABASE_URL=" + database_url_, "GAIA_ADMIN_KEY=" + admin_key_,
                                    "GAIA_DATA_DIR=" + node.dir->path().string(), "PORT=0",
                                    "GAIA_THREADS=2"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    add_idle_proc_root(env, *node.dir);
    node.process = std::make_unique<ServerProcess>(std::vector<std::string>{}, env);
    std::optional<uint16_t> port = node.process->read_port();
    if (!port || !node.process->read_line_starting("[INFO] Health:")) {
      return ::testing::AssertionFailure() << "node " << nodes_.size() << " did not serve:\n"
                                           << node.process->stdout_ << node.process->stderr_;
    }
    node.port = *port;
    nodes_.push_back(std::move(node));
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult GaiaNodes::stop() {
  for (Node& node : nodes_) {
    if (node.process->running()) node.process->signal(SIGTERM);
  }
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    ServerProcess& p = *nodes_[i].process;
    if (!p.running()) continue;
    if (int code = p.wait_exit(); code != 0) {
      result = ::testing::AssertionFailure() << "node " << i << " exited with " << code << ":\n"
                                             << p.stderr_;
    }
  }
  return result;
}

}  // namespace gaia::testing
