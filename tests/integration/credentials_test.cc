// Credentials that end: revoking an admin key, demoting it or deleting its user ends at once
// every dashboard session and admin WebSocket opened with it (the sockets close with 1008),
// and GAIA_ADMIN_KEY across restarts (a revoked value stays revoked, a new value retires the
// old key). The real gaia_server on a temporary SQLite file.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <memory>

#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/ws_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "credentials-test-admin-key-0123456789abcdef";
constexpr uint16_t kPolicyViolation = 1008;

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

struct AdminKey {
  std::string id;
  std::string key;
};

class CredentialsTest : public GaiaServerTest {
 protected:
  CredentialsTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override { start(); }

  RawResponse call(std::string_view method, std::string_view path, std::string_view key,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  // A request authenticated by the session `cookie` alone (with the CSRF header).
  RawResponse with_cookie(std::string_view method, std::string_view path, const std::string& cookie,
                          std::string_view body = {}) {
    RawHttpConnection conn(port_);
    std::string text = std::string(method) + " " + std::string(path) +
                       " HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
                       "\r\nX-Gaia-Request: 1\r\nContent-Type: application/json\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                       std::string(body);
    EXPECT_TRUE(conn.send(text));
    auto r = conn.read_response();
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  AdminKey new_admin_key(const std::string& user = "admin") {
    auto r = call("POST", "/api/admin/users/" + user + "/keys", kAdminKey, R"({"role":"admin"})");
    EXPECT_EQ(r.status, 201) << r.body;
    const boost::json::value v = json_of(r);
    return {std::to_string(v.at("id").to_number<uint64_t>()), std::string(v.at("key").as_string())};
  }
  // The dashboard's cookie ("gaia_session=...") for a sign-in with `key`.
  std::string sign_in(const std::string& key) {
    auto r = call("POST", "/api/admin/session", "", R"({"key":")" + key + R"("})");
    EXPECT_EQ(r.status, 204) << r.body;
    const std::string& c = r.headers["set-cookie"];
    return c.substr(0, c.find(';'));
  }
  // A WebSocket client past its hello.
  std::unique_ptr<WsClient> socket(std::vector<std::pair<std::string, std::string>> headers) {
    auto c = std::make_unique<WsClient>();
    EXPECT_TRUE(c->connect(port_, std::move(headers)));
    auto hello = c->read();
    EXPECT_TRUE(hello && hello->at("type") == "hello");
    return c;
  }
  std::unique_ptr<WsClient> socket_by_message(const std::string& key) {
    auto c = std::make_unique<WsClient>();
    EXPECT_TRUE(c->connect(port_));
    EXPECT_TRUE(c->write(R"({"type":"auth","key":")" + key + R"("})"));
    auto hello = c->read();
    EXPECT_TRUE(hello && hello->at("type") == "hello");
    return c;
  }
  // The key of `user` that GAIA_ADMIN_KEY registered, as the admin API shows it.
  boost::json::object env_key(const std::string& admin) {
    auto r = call("GET", "/api/admin/users/admin", admin);
    EXPECT_EQ(r.status, 200) << r.body;
    const boost::json::value user = json_of(r);
    for (const auto& k : user.at("keys").as_array()) {
      if (k.at("from_env") == true && !k.as_object().contains("revoked_at_ms")) {
        return k.as_object();
      }
    }
    return {};
  }
  // SIGTERM; the server's stderr once it has exited cleanly.
  std::string stop_for_log() {
    server_->signal(SIGTERM);
    EXPECT_EQ(server_->wait_exit(), 0);
    std::string err = server_->stderr_;
    server_.reset();
    return err;
  }
};

TEST_F(CredentialsTest, RevokingAKeyEndsItsSessionsAndWebSocketsAtOnce) {
  const AdminKey ended = new_admin_key();
  const std::string cookie = sign_in(ended.key);
  ASSERT_EQ(with_cookie("GET", "/api/admin/users", cookie).status, 200);
  auto by_cookie = socket({{"Cookie", cookie}});
  auto by_header = socket({{"Authorization", "Bearer " + ended.key}});
  auto by_message = socket_by_message(ended.key);
  auto other = socket({{"Authorization", "Bearer " + kAdminKey}});

  ASSERT_EQ(call("DELETE", "/api/admin/keys/" + ended.id, kAdminKey).status, 200);
  EXPECT_EQ(by_cookie->read_close_code(), kPolicyViolation);
  EXPECT_EQ(by_header->read_close_code(), kPolicyViolation);
  EXPECT_EQ(by_message->read_close_code(), kPolicyViolation);
  EXPECT_EQ(with_cookie("GET", "/api/admin/users", cookie).status, 401);
  // The session can no longer mint a key (nor make any other change).
  EXPECT_EQ(
      with_cookie("POST", "/api/admin/users/admin/keys", cookie, R"({"role":"admin"})").status,
      401);
  EXPECT_EQ(with_cookie("POST", "/api/admin/users", cookie, R"({"name":"mallory"})").status, 401);
  // Another admin's socket stays open and hears of the change.
  auto news = other->read();
  ASSERT_TRUE(news);
  EXPECT_EQ(news->at("type"), "config_changed");
}

TEST_F(CredentialsTest, DemotingAKeyEndsItsSessionAndWebSocketButNotTheKey) {
  const AdminKey demoted = new_admin_key();
  const std::string cookie = sign_in(demoted.key);
  auto by_cookie = socket({{"Cookie", cookie}});

  auto patched = call("PATCH", "/api/admin/keys/" + demoted.id, kAdminKey, R"({"role":"user"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json_of(patched).at("role"), "user");
  EXPECT_EQ(by_cookie->read_close_code(), kPolicyViolation);
  EXPECT_EQ(with_cookie("GET", "/api/admin/users", cookie).status, 401);
  EXPECT_EQ(call("GET", "/api/admin/users", demoted.key).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/check", demoted.key, R"({"type":"shell"})").status, 200);
  // Made admin again, it does not bring the session back.
  ASSERT_EQ(call("PATCH", "/api/admin/keys/" + demoted.id, kAdminKey, R"({"role":"admin"})").status,
            200);
  EXPECT_EQ(with_cookie("GET", "/api/admin/users", cookie).status, 401);
}

TEST_F(CredentialsTest, DeletingAUserEndsItsSessionsAndWebSocketsAndItsKeys) {
  ASSERT_EQ(call("POST", "/api/admin/users", kAdminKey, R"({"name":"ops"})").status, 201);
  const AdminKey ops = new_admin_key("ops");
  const std::string cookie = sign_in(ops.key);
  auto by_cookie = socket({{"Cookie", cookie}});

  auto deleted = call("DELETE", "/api/admin/users/ops", kAdminKey);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(by_cookie->read_close_code(), kPolicyViolation);
  EXPECT_EQ(with_cookie("GET", "/api/admin/users", cookie).status, 401);
  EXPECT_EQ(call("GET", "/api/admin/users", ops.key).status, 401);
  EXPECT_EQ(call("GET", "/api/admin/users/ops", kAdminKey).status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/users/ops", kAdminKey).status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/users/admin", kAdminKey).status, 409);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.delete'"), 1);
}

TEST_F(CredentialsTest, KeyChangesAreValidatedNamingTheField) {
  const AdminKey k = new_admin_key();
  auto field = [&](const std::string& body) {
    auto r = call("PATCH", "/api/admin/keys/" + k.id, kAdminKey, body);
    return r.status == 400 ? std::string(json_of(r).at("field").as_string())
                           : "status " + std::to_string(r.status);
  };
  EXPECT_EQ(field(R"({"role":"root"})"), "role");
  EXPECT_EQ(field(R"({"agent":"yes"})"), "agent");
  EXPECT_EQ(field("{}"), "body");
  EXPECT_EQ(call("PATCH", "/api/admin/keys/x", kAdminKey, R"({"agent":true})").status, 400);
  EXPECT_EQ(call("PATCH", "/api/admin/keys/999999", kAdminKey, R"({"agent":true})").status, 404);
  EXPECT_EQ(call("PATCH", "/api/admin/keys/" + k.id, k.key, R"({"role":"user"})").status, 200);
  // That was its own demotion: nothing else changed with it.
  EXPECT_EQ(call("PATCH", "/api/admin/keys/" + k.id, k.key, R"({"role":"admin"})").status, 403);
}

TEST_F(CredentialsTest, ARevokedEnvironmentAdminKeyStaysRevokedAndTheServerStarts) {
  const AdminKey spare = new_admin_key();
  const boost::json::object from_env = env_key(kAdminKey);
  ASSERT_FALSE(from_env.empty());
  const std::string id = std::to_string(from_env.at("id").to_number<uint64_t>());
  ASSERT_EQ(call("DELETE", "/api/admin/keys/" + id, spare.key).status, 200);

  stop();
  start();  // fails the test unless the server serves
  EXPECT_EQ(call("GET", "/api/admin/users", kAdminKey).status, 401);
  EXPECT_EQ(call("GET", "/api/admin/users", spare.key).status, 200);
  const std::string log = stop_for_log();
  EXPECT_NE(log.find("[WARN] GAIA_ADMIN_KEY is a revoked key"), std::string::npos) << log;
}

TEST_F(CredentialsTest, ANewEnvironmentAdminKeyRetiresThePreviousOne) {
  const std::string old_id = std::to_string(env_key(kAdminKey).at("id").to_number<uint64_t>());
  stop();
  admin_key_ = "credentials-test-the-next-admin-key-0123456789";
  start();
  EXPECT_EQ(call("GET", "/api/admin/users", kAdminKey).status, 401);
  EXPECT_EQ(call("GET", "/api/admin/users", admin_key_).status, 200);
  const boost::json::object now = env_key(admin_key_);
  ASSERT_FALSE(now.empty());
  EXPECT_NE(std::to_string(now.at("id").to_number<uint64_t>()), old_id);
  // The same value again changes nothing.
  stop();
  start();
  EXPECT_EQ(call("GET", "/api/admin/users", admin_key_).status, 200);
}

}  // namespace
}  // namespace gaia::testing
