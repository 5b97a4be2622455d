#pragma once
// PostgresClusterStore: store::ClusterStore on PostgreSQL. Changes arrive by LISTEN on a
// connection of their own (application_name "gaia_change_feed", so an operator can see, or
// end, it in pg_stat_activity); NOTIFY and the node rows share one connection under a lock.
// Thread-safe.

#include <memory>
#include <string>

#include "core/mutex.h"
#include "store/cluster_store.h"
#include "store/postgres/connection.h"

namespace gaia::store::postgres {

class PostgresClusterStore final : public ClusterStore {
 public:
  // Connects to `url` (migrated by PostgresStore::open); kUnavailable while it cannot.
  static Result<std::unique_ptr<PostgresClusterStore>> open(const std::string& url);

  Result<std::unique_ptr<NoticeListener>> listen(const std::vector<std::string>& channels) override;
  Status notify(std::string_view channel, std::string_view payload) override;
  Status save_node(const NodeRecord& node) override;
  Result<std::vector<NodeRecord>> list_nodes() override;
  Status forget_nodes(std::chrono::milliseconds older_than) override;

 private:
  PostgresClusterStore(std::string url, std::unique_ptr<Connection> db)
      : url_(std::move(url)), db_(std::move(db)) {}

  const std::string url_;
  core::Mutex mu_;
  std::unique_ptr<Connection> db_ GUARDED_BY(mu_);
};

}  // namespace gaia::store::postgres
