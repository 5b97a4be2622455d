#pragma once
// Membership: the nodes that serve together on one database. Each node saves a row of its
// own (id, address, start, health, load, admissions) at every beat(); the rows of all nodes
// are read back at the same time. A node is live while its last heartbeat is younger than
// MembershipOptions::live_within, by the database's clock (so node clocks need not agree).
//
// Ownership: borrows the store, which must outlive it. Threads: beat() from one thread (a
// chore, every heartbeat); live_nodes() and nodes() from any (live_nodes() is one atomic
// load, for the check path).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "store/cluster_store.h"

namespace gaia::cluster {

// What a node says of itself at each heartbeat.
struct NodeState {
  std::string health = "ok";
  double load = 1;  // the throttle factor: 1 unloaded, 0 refusing new work
  uint64_t admissions = 0;
  uint64_t refusals = 0;
};

struct MembershipOptions {
  std::chrono::milliseconds heartbeat{1'000};
  std::chrono::milliseconds live_within{5'000};  // a node silent longer is not counted
  std::chrono::hours forget_after{24};           // rows of nodes gone this long are removed
};

struct ClusterNode {
  store::NodeRecord record;
  bool live = false;
  bool self = false;
};

class Membership {
 public:
  using StateSource = std::function<NodeState()>;

  // `self`: this node's id, address and start (the rest is filled from `state` each beat).
  Membership(store::ClusterStore& store, store::NodeRecord self, StateSource state,
             MembershipOptions options = {});

  // Where this node serves, once it knows (its HTTP server listens); before the first beat.
  void set_address(std::string address);

  // Saves this node's row, then reads every node's. On failure the last rows read stay (a
  // database away does not make the other nodes disappear), and the error is returned.
  core::Status beat();

  // Live nodes as of the last beat, this one included: never less than 1.
  size_t live_nodes() const { return live_.load(std::memory_order_relaxed); }
  // Every known node as of the last beat, by id; this node is always there.
  std::vector<ClusterNode> nodes() const;
  const std::string& self_id() const { return self_id_; }
  const MembershipOptions& options() const { return options_; }

 private:
  store::ClusterStore& store_;
  const std::string self_id_;
  const StateSource state_;
  const MembershipOptions options_;
  std::atomic<size_t> live_{1};
  mutable core::Mutex mu_;
  store::NodeRecord self_ GUARDED_BY(mu_);
  std::vector<ClusterNode> nodes_ GUARDED_BY(mu_);
  uint64_t beats_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaia::cluster
