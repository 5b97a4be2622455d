#include "api/admin/cluster_api.h"

#include "api/admin/admin_support.h"

namespace gaia::api::admin {
namespace {

boost::json::object node_json(const cluster::ClusterNode& n) {
  const store::NodeRecord& r = n.record;
  return {{"id", r.id},
          {"address", r.address},
          {"started_at_ms", r.started_at_ms},
          {"last_seen_ms", r.last_seen_ms},
          {"age_ms", r.age_ms},
          {"live", n.live},
          {"self", n.self},
          {"health", r.health},
          {"load", r.load},
          {"admissions", r.admissions},
          {"refusals", r.refusals}};
}

http::Response cluster_view(const ApiContext& ctx, const ClusterSource& source,
                            const http::Request& req) {
  auto auth = authenticate(req, ctx.directory, true);
  if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
  boost::json::array nodes;
  uint64_t live = 0, admissions = 0, refusals = 0;
  for (const cluster::ClusterNode& n : source.nodes()) {
    if (n.live) {
      ++live;
      admissions += n.record.admissions;
      refusals += n.record.refusals;
    }
    nodes.push_back(node_json(n));
  }
  return http::json_response(200, {{"clustered", source.clustered},
                                   {"live_nodes", live},
                                   {"admissions", admissions},
                                   {"refusals", refusals},
                                   {"nodes", std::move(nodes)}});
}

}  // namespace

void add_cluster_api(http::Router& router, const ApiContext& ctx, ClusterSource source) {
  router.add("GET", "/api/admin/cluster",
             [ctx, source = std::move(source)](const http::Request& req) {
               return cluster_view(ctx, source, req);
             });
}

}  // namespace gaia::api::admin
