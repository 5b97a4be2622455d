#pragma once
// ClusterSide: what makes this node one of several on a shared PostgreSQL database (on
// SQLite, one node alone, it holds nothing and nothing changes):
//   the cluster store   (store/postgres/cluster_store) on connections of its own;
//   the change feed     reloading the directory (users, tiers, keys, revocations: the sockets
//                       of a key revoked elsewhere end), the rule book (rules, overrides),
//                       the patterns and the alert rules when another node changes them;
//   the live relay      this node's violations and alerts to the others, theirs to its hub;
//   membership          this node's heartbeat and the others', every second, on a chore.
// make() builds them, none started; start() needs the address the HTTP server got.
//
// Ownership: borrows the config, clock, store, services, executor stack and live side given
// to make(), which must outlive it; the live side's own events are forwarded to the relay, so
// nothing may publish them once this is destroyed (ServerApp stops every publisher first).
// Threads: made, started and stopped on the main thread; live_nodes(), nodes() and
// health_json() from any.

#include <memory>
#include <ostream>
#include <string>

#include "app/chores.h"
#include "app/config.h"
#include "app/exec_stack.h"
#include "app/live_side.h"
#include "app/services.h"
#include "cluster/change_feed.h"
#include "cluster/live_relay.h"
#include "cluster/membership.h"
#include "core/clock.h"
#include "store/cluster_store.h"
#include "store/store.h"

namespace gaia::app {

class ClusterSide {
 public:
  // nullptr, with the reason on `err`, when the cluster store cannot be opened.
  static std::unique_ptr<ClusterSide> make(const Config& config, const core::Clock& clock,
                                           store::Store& store, Services& services, ExecStack& exec,
                                           LiveSide& live, std::ostream& err);
  ~ClusterSide();
  ClusterSide(const ClusterSide&) = delete;
  ClusterSide& operator=(const ClusterSide&) = delete;

  bool clustered() const { return cluster_store_ != nullptr; }
  // Starts the feed, the relay and the heartbeats; `address` is where this node serves.
  void start(const std::string& address);
  void stop();

  // The live nodes as of the last heartbeat, this one included (1 when not clustered): what
  // a limit shared out among the nodes is divided by.
  size_t live_nodes() const { return membership_ ? membership_->live_nodes() : 1; }
  // The nodes as membership last saw them (this node alone, described now, when not
  // clustered).
  std::vector<cluster::ClusterNode> nodes() const;
  // {"node", "live_nodes", "feed": {"connected", "connections", "full_reloads", "notices",
  //  "last_error"}, "relay_dropped"}; {"clustered": false} alone when not clustered.
  boost::json::object health_json() const;

 private:
  ClusterSide(store::Store& store, Services& services, ExecStack& exec)
      : store_(store), services_(services), exec_(exec) {}
  cluster::NodeState state() const;

  store::Store& store_;
  Services& services_;
  ExecStack& exec_;
  std::unique_ptr<store::ClusterStore> cluster_store_;  // null when not clustered
  std::unique_ptr<cluster::LiveRelay> relay_;
  std::unique_ptr<cluster::ChangeFeed> feed_;
  std::unique_ptr<cluster::Membership> membership_;
  std::unique_ptr<Chores> heartbeat_;  // made by start()
};

}  // namespace gaia::app
