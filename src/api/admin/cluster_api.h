#pragma once
// The cluster as one, on any node:
//   GET /api/admin/cluster   {"clustered": bool, "live_nodes": n, "admissions": n,
//                             "refusals": n, "nodes": [{"id", "address", "started_at_ms",
//                             "last_seen_ms", "age_ms", "live", "self", "health", "load",
//                             "admissions", "refusals"}]}
// Admissions and refusals are summed over the live nodes (each counts since it started).
// On one node (SQLite) the list holds this node alone and "clustered" is false.
// Admin only.

#include <functional>
#include <vector>

#include "api/api_support.h"
#include "cluster/membership.h"
#include "http/router.h"

namespace gaia::api::admin {

struct ClusterSource {
  bool clustered = false;
  std::function<std::vector<cluster::ClusterNode>()> nodes;  // any thread
};

void add_cluster_api(http::Router& router, const ApiContext& ctx, ClusterSource source);

}  // namespace gaia::api::admin
