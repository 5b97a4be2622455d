#include "cluster/membership.h"

#include <algorithm>

namespace gaia::cluster {

Membership::Membership(store::ClusterStore& store, store::NodeRecord self, StateSource state,
                       MembershipOptions options)
    : store_(store),
      self_id_(self.id),
      state_(std::move(state)),
      options_(options),
      self_(std::move(self)) {
  nodes_.push_back({self_, true, true});
}

void Membership::set_address(std::string address) {
  core::MutexLock lock(mu_);
  self_.address = std::move(address);
  nodes_ = {{self_, true, true}};
}

core::Status Membership::beat() {
  store::NodeRecord me;
  {
    core::MutexLock lock(mu_);
    me = self_;
  }
  const NodeState state = state_();
  me.health = state.health;
  me.load = state.load;
  me.admissions = state.admissions;
  me.refusals = state.refusals;
  if (core::Status s = store_.save_node(me); !s.ok()) return s;
  auto rows = store_.list_nodes();
  if (!rows.ok()) return rows.status();
  std::vector<ClusterNode> nodes;
  size_t live = 0;
  for (store::NodeRecord& r : rows.value()) {
    ClusterNode n;
    n.self = r.id == self_id_;
    n.live = n.self || r.age_ms <= options_.live_within.count();
    live += n.live ? 1 : 0;
    n.record = std::move(r);
    nodes.push_back(std::move(n));
  }
  live_.store(std::max<size_t>(live, 1), std::memory_order_relaxed);
  bool forget = false;
  {
    core::MutexLock lock(mu_);
    nodes_ = std::move(nodes);
    // Rows of nodes long gone go now and then, not at every beat.
    forget = beats_++ % 600 == 0;
  }
  if (forget) return store_.forget_nodes(options_.forget_after);
  return {};
}

std::vector<ClusterNode> Membership::nodes() const {
  core::MutexLock lock(mu_);
  return nodes_;
}

}  // namespace gaia::cluster
