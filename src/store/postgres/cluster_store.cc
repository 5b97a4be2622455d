#include "store/postgres/cluster_store.h"

#include <poll.h>

#include <cstdio>

namespace gaia::store::postgres {
namespace {

constexpr const char* kNow = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

class PostgresNoticeListener final : public NoticeListener {
 public:
  explicit PostgresNoticeListener(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Result<std::vector<Notice>> next(std::chrono::milliseconds wait) override {
    PGconn* conn = db_->native();
    std::vector<Notice> out;
    if (!consume(conn, out)) return lost(conn);
    if (!out.empty()) return out;
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (fd.fd < 0) return lost(conn);
    if (::poll(&fd, 1, static_cast<int>(wait.count())) < 0) return out;  // EINTR: try again
    if (!consume(conn, out)) return lost(conn);
    return out;
  }

 private:
  // Reads what the socket holds and takes every notice; false once the connection is lost.
  static bool consume(PGconn* conn, std::vector<Notice>& out) {
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) return false;
    while (PGnotify* n = PQnotifies(conn)) {
      out.push_back({n->relname, n->extra});
      PQfreemem(n);
    }
    return true;
  }
  static Status lost(PGconn* conn) {
    return Status::unavailable(std::string("change feed connection lost: ") + PQerrorMessage(conn));
  }

  std::unique_ptr<Connection> db_;
};

NodeRecord node_of(const Row& r) {
  NodeRecord n;
  n.id = r.text(0);
  n.address = r.text(1);
  n.started_at_ms = r.int64(2);
  n.last_seen_ms = r.int64(3);
  n.health = r.text(4);
  n.load = r.real(5);
  n.admissions = r.uint64(6);
  n.refusals = r.uint64(7);
  n.age_ms = r.int64(8);
  return n;
}

}  // namespace

Result<std::unique_ptr<PostgresClusterStore>> PostgresClusterStore::open(const std::string& url) {
  auto db = Connection::open(url, "gaia_cluster");
  if (!db.ok()) return db.status();
  return std::unique_ptr<PostgresClusterStore>(
      new PostgresClusterStore(url, std::move(db.value())));
}

Result<std::unique_ptr<NoticeListener>> PostgresClusterStore::listen(
    const std::vector<std::string>& channels) {
  auto opened = Connection::open(url_, "gaia_change_feed");
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Connection> db = std::move(opened.value());
  for (const std::string& channel : channels) {
    char* quoted = PQescapeIdentifier(db->native(), channel.data(), channel.size());
    if (quoted == nullptr) return Status::invalid_argument("channel: cannot be quoted");
    const std::string sql = std::string("LISTEN ") + quoted;
    PQfreemem(quoted);
    if (Status s = db->exec(sql.c_str()); !s.ok()) return s;
  }
  return std::unique_ptr<NoticeListener>(new PostgresNoticeListener(std::move(db)));
}

Status PostgresClusterStore::notify(std::string_view channel, std::string_view payload) {
  if (payload.size() > kMaxNoticeBytes) {
    return Status::invalid_argument("payload: longer than " + std::to_string(kMaxNoticeBytes) +
                                    " bytes");
  }
  core::MutexLock lock(mu_);
  auto r =
      db_->run("gaia_cluster_notify", "SELECT pg_notify($1, $2)", {param(channel), param(payload)});
  return r.ok() ? Status() : r.status();
}

Status PostgresClusterStore::save_node(const NodeRecord& node) {
  static const std::string sql = std::string(
                                     "INSERT INTO cluster_nodes (id, address, started_at_ms, "
                                     "last_seen_ms, health, load, admissions, refusals) "
                                     "VALUES ($1, $2, $3, ") +
                                 kNow +
                                 ", $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET "
                                 "address = EXCLUDED.address, last_seen_ms = "
                                 "EXCLUDED.last_seen_ms, health = EXCLUDED.health, load = "
                                 "EXCLUDED.load, admissions = EXCLUDED.admissions, refusals = "
                                 "EXCLUDED.refusals";
  char load[32];
  std::snprintf(load, sizeof load, "%.6f", node.load);
  core::MutexLock lock(mu_);
  auto r =
      db_->run("gaia_cluster_save_node", sql.c_str(),
               {param(node.id), param(node.address), param(node.started_at_ms), param(node.health),
                param(std::string_view(load)), param(node.admissions), param(node.refusals)});
  return r.ok() ? Status() : r.status();
}

Result<std::vector<NodeRecord>> PostgresClusterStore::list_nodes() {
  static const std::string sql =
      std::string(
          "SELECT id, address, started_at_ms, last_seen_ms, health, load, admissions, "
          "refusals, ") +
      kNow + " - last_seen_ms FROM cluster_nodes ORDER BY id";
  core::MutexLock lock(mu_);
  auto rows = db_->run("gaia_cluster_list_nodes", sql.c_str(), {});
  if (!rows.ok()) return rows.status();
  return rows->collect<NodeRecord>(node_of);
}

Status PostgresClusterStore::forget_nodes(std::chrono::milliseconds older_than) {
  static const std::string sql =
      std::string("DELETE FROM cluster_nodes WHERE last_seen_ms < ") + kNow + " - $1";
  core::MutexLock lock(mu_);
  auto r = db_->run("gaia_cluster_forget_nodes", sql.c_str(),
                    {param(static_cast<int64_t>(older_than.count()))});
  return r.ok() ? Status() : r.status();
}

}  // namespace gaia::store::postgres
