// Membership on a real PostgreSQL database: every node sees every node, and a node whose
// heartbeat is old is not counted live.

#include "cluster/membership.h"

#include "cluster_fixture.h"

namespace gaia::cluster {
namespace {

class MembershipTest : public ClusterFixture {
 protected:
  std::unique_ptr<Membership> node(const std::string& id, uint64_t admissions) {
    store::NodeRecord self;
    self.id = id;
    self.started_at_ms = 1;
    auto m = std::make_unique<Membership>(*cluster_, self, [admissions] {
      NodeState s;
      s.admissions = admissions;
      s.load = 0.5;
      return s;
    });
    m->set_address("127.0.0.1:" + id);
    return m;
  }
};

TEST_F(MembershipTest, EveryNodeSeesEveryNodeWithWhatItSaidOfItself) {
  auto a = node("1", 10), b = node("2", 32);
  EXPECT_EQ(a->live_nodes(), 1u) << "before any heartbeat: itself";
  ASSERT_TRUE(a->beat().ok());
  ASSERT_TRUE(b->beat().ok());
  ASSERT_TRUE(a->beat().ok());
  EXPECT_EQ(a->live_nodes(), 2u);
  EXPECT_EQ(b->live_nodes(), 2u);
  const std::vector<ClusterNode> nodes = a->nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_TRUE(nodes[0].self);
  EXPECT_FALSE(nodes[1].self);
  EXPECT_EQ(nodes[1].record.address, "127.0.0.1:2");
  EXPECT_EQ(nodes[1].record.admissions, 32u);
  EXPECT_DOUBLE_EQ(nodes[1].record.load, 0.5);
  EXPECT_EQ(nodes[1].record.health, "ok");
}

TEST_F(MembershipTest, ANodeWhoseHeartbeatIsOldIsNotLive) {
  auto a = node("1", 0), b = node("2", 0);
  ASSERT_TRUE(b->beat().ok());
  ASSERT_TRUE(run_sql("UPDATE cluster_nodes SET last_seen_ms = last_seen_ms - 60000"));
  ASSERT_TRUE(a->beat().ok());
  EXPECT_EQ(a->live_nodes(), 1u);
  const std::vector<ClusterNode> nodes = a->nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_FALSE(nodes[1].live);
  EXPECT_GE(nodes[1].record.age_ms, 60000);
}

TEST_F(MembershipTest, ADatabaseAwayKeepsTheLastNodesSeen) {
  auto a = node("1", 0), b = node("2", 0);
  ASSERT_TRUE(b->beat().ok());
  ASSERT_TRUE(a->beat().ok());
  ASSERT_TRUE(
      run_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE application_name = 'gaia_cluster' AND pid <> pg_backend_pid() "
              "AND datname = current_database()"));
  ASSERT_TRUE(run_sql("ALTER TABLE cluster_nodes RENAME TO cluster_nodes_away"));
  EXPECT_FALSE(a->beat().ok());
  EXPECT_EQ(a->live_nodes(), 2u);
  EXPECT_EQ(a->nodes().size(), 2u);
}

}  // namespace
}  // namespace gaia::cluster
