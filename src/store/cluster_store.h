#pragma once
// ClusterStore: the store's role for several nodes on one database. It is not part of Store:
// only a backend that several nodes can share (PostgreSQL) has one, so a one-node server
// (SQLite) has none and runs as before.
//   - Changes: a write of users, keys, rules, patterns or alert rules notifies the channel
//     kChangeChannel with the changed table's name, in the writing transaction (a notice
//     therefore means committed). listen() opens a dedicated connection that receives them.
//   - Relay: notify() sends any node's short message to every listener of a channel.
//   - Membership: each node saves its row (heartbeat); list_nodes() reads them all.
// Thread-safe; a NoticeListener is used by one thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// The channel on which committed changes are announced; the payload is the table's name.
inline constexpr std::string_view kChangeChannel = "gaia_changes";
// PostgreSQL refuses a payload of 8000 bytes or more.
inline constexpr size_t kMaxNoticeBytes = 7900;

struct Notice {
  std::string channel;
  std::string payload;
};

// A dedicated connection listening on some channels.
class NoticeListener {
 public:
  virtual ~NoticeListener() = default;
  // The notices that arrived, waiting up to `wait` for the first (an empty list when none
  // came). kUnavailable once the connection is lost: every later notice may have been
  // missed, and this listener is finished (open another).
  virtual Result<std::vector<Notice>> next(std::chrono::milliseconds wait) = 0;
};

struct NodeRecord {
  std::string id;       // unique per process
  std::string address;  // where its HTTP server listens, host:port
  int64_t started_at_ms = 0;
  int64_t last_seen_ms = 0;  // the node's last heartbeat, by the database's clock
  std::string health;        // "ok", "degraded", ...
  double load = 0;           // the node's throttle factor in [0, 1] (1: unloaded)
  uint64_t admissions = 0;   // since the node started
  uint64_t refusals = 0;
  int64_t age_ms = 0;  // list_nodes(): how long ago last_seen_ms was, by the database's clock
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // A new connection listening on `channels`; kUnavailable while the database is away.
  virtual Result<std::unique_ptr<NoticeListener>> listen(
      const std::vector<std::string>& channels) = 0;
  // Sends `payload` (at most kMaxNoticeBytes, else kInvalidArgument) to `channel`'s listeners.
  virtual Status notify(std::string_view channel, std::string_view payload) = 0;

  // Inserts or replaces the node's row; its last_seen_ms is the database's time now.
  virtual Status save_node(const NodeRecord& node) = 0;
  // Every node's row, by id.
  virtual Result<std::vector<NodeRecord>> list_nodes() = 0;
  // Removes rows not seen for `older_than` (nodes long gone).
  virtual Status forget_nodes(std::chrono::milliseconds older_than) = 0;
};

}  // namespace gaia::store
