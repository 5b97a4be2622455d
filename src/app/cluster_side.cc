#include "app/cluster_side.h"

#include <unistd.h>

#include <chrono>

#include "metrics/check_stats.h"
#include "store/postgres/cluster_store.h"

namespace gaia::app {

namespace {

// Unique per process, readable by an operator: the host, then the process id.
std::string node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "node") + "-" + std::to_string(getpid());
}

uint64_t count(const boost::json::object& stats, const char* name) {
  const boost::json::value* v = stats.if_contains(name);
  return v != nullptr && v->is_int64()    ? static_cast<uint64_t>(v->as_int64())
         : v != nullptr && v->is_uint64() ? v->as_uint64()
                                          : 0;
}

}  // namespace

std::unique_ptr<ClusterSide> ClusterSide::make(const Config& config, const core::Clock& clock,
                                               store::Store& store, Services& services,
                                               ExecStack& exec, LiveSide& live, std::ostream& err) {
  std::unique_ptr<ClusterSide> side(new ClusterSide(store, services, exec));
  if (config.postgres_url.empty()) return side;
  auto opened = store::postgres::PostgresClusterStore::open(config.postgres_url);
  if (!opened.ok()) {
    err << "[ERROR] cluster: " << opened.status().message() << std::endl;
    return nullptr;
  }
  side->cluster_store_ = std::move(opened.value());
  const std::string id = node_id();

  http::WsHub& hub = live.hub();
  side->relay_ = std::make_unique<cluster::LiveRelay>(
      *side->cluster_store_, clock, id, [&hub](std::string_view type, boost::json::object data) {
        hub.publish(type, std::move(data));
      });
  live.own_events().relay_to(
      [relay = side->relay_.get()](std::string_view type, const boost::json::object& data) {
        relay->send(type, data);
      });

  identity::Directory& directory = *services.directory;
  rules::RuleBook& rule_book = *services.rule_book;
  confirm::PatternBook& patterns = *services.patterns;
  alerts::Evaluator& evaluator = live.alerting().evaluator();
  side->feed_ = std::make_unique<cluster::ChangeFeed>(
      *side->cluster_store_,
      std::vector<cluster::ChangeTarget>{
          {{"users", "api_keys"}, [&directory] { return directory.reload(); }},
          {{"quota_rules", "command_types"}, [&rule_book] { return rule_book.reload(); }},
          {{"confirm_patterns"}, [&patterns] { return patterns.reload(); }},
          {{"alert_rules"}, [&evaluator] { return evaluator.reload_rules(); }},
      });
  side->feed_->on_channel(
      std::string(cluster::kLiveChannel),
      [relay = side->relay_.get()](const std::string& payload) { relay->receive(payload); });

  store::NodeRecord self;
  self.id = id;
  self.started_at_ms = core::to_ms(clock.now().wall);
  side->membership_ = std::make_unique<cluster::Membership>(
      *side->cluster_store_, std::move(self), [side = side.get()] { return side->state(); });
  return side;
}

ClusterSide::~ClusterSide() { stop(); }

cluster::NodeState ClusterSide::state() const {
  cluster::NodeState s;
  const bool feed_ok = feed_ == nullptr || feed_->status().connected;
  s.health = store_.health().ok && feed_ok ? "ok" : "degraded";
  s.load = exec_.throttle_factor();
  const boost::json::object stats = metrics::check_stats(*services_.registry);
  s.admissions = count(stats, "admissions");
  s.refusals = count(stats, "refusals");
  return s;
}

void ClusterSide::start(const std::string& address) {
  if (!clustered()) return;
  membership_->set_address(address);
  relay_->start();
  feed_->start();
  cluster::Membership& membership = *membership_;
  SharedCounters* shared = services_.shared_counters.get();
  auto beat = [&membership, shared] {
    (void)membership.beat();
    // The local outage policy shares each limit out among the nodes alive now.
    if (shared) shared->set_live_nodes(membership.live_nodes());
  };
  heartbeat_ = std::make_unique<Chores>(
      std::vector<Chores::Chore>{{membership.options().heartbeat, std::move(beat)}});
}

void ClusterSide::stop() {
  heartbeat_.reset();
  if (feed_) feed_->stop();
  if (relay_) relay_->stop();
}

std::vector<cluster::ClusterNode> ClusterSide::nodes() const {
  if (clustered()) return membership_->nodes();
  store::NodeRecord me;
  me.id = "local";
  const cluster::NodeState s = state();
  me.health = s.health;
  me.load = s.load;
  me.admissions = s.admissions;
  me.refusals = s.refusals;
  return {{std::move(me), true, true}};
}

boost::json::object ClusterSide::health_json() const {
  if (!clustered()) return {{"clustered", false}};
  const cluster::ChangeFeedStatus feed = feed_->status();
  return {{"clustered", true},
          {"node", membership_->self_id()},
          {"live_nodes", membership_->live_nodes()},
          {"feed",
           {{"connected", feed.connected},
            {"connections", feed.connections},
            {"full_reloads", feed.full_reloads},
            {"notices", feed.notices},
            {"last_error", feed.last_error}}},
          {"relay_dropped", relay_->dropped()}};
}

}  // namespace gaia::app
