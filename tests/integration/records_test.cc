// Execution records through the real gaia_server: ids belong to their user (another user's
// record cannot take one, an id already used is refused before anything runs), only commands
// Gaia ran itself raise a reputation (a flood of self-reports changes nothing), and figures
// past their documented maximum are refused naming the field.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "records-integration-admin-key-0123456789";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

class RecordsTest : public GaiaServerTest {
 protected:
  RecordsTest() : GaiaServerTest(kAdminKey) {}
  // A record at the longest duration started a year ago; the retention chore (which also runs
  // at start, maybe after the first records) must not take it from under the count.
  void SetUp() override { start({"GAIA_RETENTION_DAYS=36500"}); }
  void TearDown() override { stop(); }

  std::string user_with_key(const std::string& name) {
    return create_user_key(name, R"({"name":")" + name + R"("})", R"({"role":"user"})");
  }
  std::optional<RawResponse> report(const std::string& key, const std::string& id,
                                    const std::string& figures = R"("duration_ms":5,"cpu_ms":1)") {
    return http_request(port_, "POST", "/api/v1/executions", key,
                        R"({"id":")" + id + R"(","type":"shell","command":"make",)" + figures +
                            R"(,"peak_memory_bytes":1,"exit_code":0})");
  }
  // POST /api/v1/exec on a connection of its own; everything the server sent until it closed
  // (status line, headers and the chunked events), or until 20 s passed.
  std::string exec(const std::string& key, const std::string& body) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string received;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const std::string request =
          "POST /api/v1/exec HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer " +
          key + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
        pollfd p{fd, POLLIN, 0};
        char buf[4096];
        ssize_t n;
        while (poll(&p, 1, 20'000) > 0 && (n = read(fd, buf, sizeof buf)) > 0) {
          received.append(buf, static_cast<size_t>(n));
        }
      }
    }
    close(fd);
    return received;
  }
  boost::json::object reputation(const std::string& key) {
    auto q = http_request(port_, "GET", "/api/v1/quota", key);
    EXPECT_TRUE(q && q->status == 200);
    return json_of(*q).at("reputation").as_object();
  }
};

TEST_F(RecordsTest, AnotherUsersRecordCannotTakeAnId) {
  const std::string mallory = user_with_key("mallory");
  const std::string alice = user_with_key("alice");
  auto taken = report(mallory, "victim-42");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->status, 201) << taken->body;
  auto mine = report(alice, "victim-42");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 201) << mine->body;
  EXPECT_EQ(json_of(*mine).at("stored"), true);
  auto repeat = report(alice, "victim-42");
  EXPECT_EQ(repeat->status, 200);
  EXPECT_EQ(json_of(*repeat).at("stored"), false);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions WHERE id = 'victim-42'"), 2);
}

TEST_F(RecordsTest, AnExecWithAnIdTheUserAlreadyUsedIsRefusedBeforeItRuns) {
  const std::string alice = user_with_key("alice");
  ASSERT_EQ(report(alice, "build-7")->status, 201);
  const std::string marker = dir_.file("ran");
  const std::string answer = exec(
      alice, R"({"type":"shell","id":"build-7","argv":["/usr/bin/touch",")" + marker + R"("]})");
  EXPECT_NE(answer.find("HTTP/1.1 409"), std::string::npos) << answer;
  EXPECT_NE(answer.find("duplicate_id"), std::string::npos) << answer;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the command must not have run";

  // Another user's id of the same name is no obstacle, and the event tells the truth.
  const std::string bob = user_with_key("bob");
  const std::string ran = exec(bob, R"({"type":"shell","id":"build-7","argv":["/bin/true"]})");
  EXPECT_NE(ran.find(R"("event":"exited")"), std::string::npos) << ran;
  EXPECT_NE(ran.find(R"("recorded":true)"), std::string::npos) << ran;
}

TEST_F(RecordsTest, SelfReportedExecutionsNeverRaiseReputation) {
  const std::string alice = user_with_key("alice");
  const double baseline = reputation(alice).at("baseline").to_number<double>();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(report(alice, "flood-" + std::to_string(i))->status, 201);
  }
  boost::json::object after = reputation(alice);
  EXPECT_EQ(after.at("score").to_number<double>(), baseline);
  EXPECT_TRUE(after.at("events").as_array().empty()) << boost::json::serialize(after);

  // A command Gaia admitted and ran itself is what counts.
  const std::string ran = exec(alice, R"({"type":"shell","argv":["/bin/true"]})");
  ASSERT_NE(ran.find(R"("recorded":true)"), std::string::npos) << ran;
  boost::json::object vouched = reputation(alice);
  ASSERT_EQ(vouched.at("events").as_array().size(), 1u) << boost::json::serialize(vouched);
  EXPECT_EQ(vouched.at("events").as_array()[0].at("event"), "clean");
  EXPECT_GT(vouched.at("score").to_number<double>(), baseline);
}

TEST_F(RecordsTest, FiguresPastTheirMaximumAreRefusedNamingTheField) {
  const std::string alice = user_with_key("alice");
  struct Case {
    std::string figures;
    std::string field;
  };
  for (const Case& c : {
           Case{R"("duration_ms":9223372036854775807,"cpu_ms":1)", "duration_ms"},
           Case{R"("duration_ms":31536000001,"cpu_ms":1)", "duration_ms"},
           Case{R"("duration_ms":1,"cpu_ms":9223372036854775807)", "cpu_ms"},
           Case{R"("duration_ms":1,"cpu_ms":1,"started_at":9223372036854775807)", "started_at"},
       }) {
    auto r = report(alice, "big", c.figures);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(std::string(json_of(*r).at("field").as_string()), c.field) << r->body;
  }
  auto memory = http_request(port_, "POST", "/api/v1/executions", alice,
                             R"({"id":"big","type":"shell","command":"x","duration_ms":1,)"
                             R"("cpu_ms":1,"peak_memory_bytes":9223372036854775807,"signal":9})");
  EXPECT_EQ(json_of(*memory).at("field"), "peak_memory_bytes");
  // At the maximum it is accepted.
  EXPECT_EQ(report(alice, "longest", R"("duration_ms":31536000000,"cpu_ms":1)")->status, 201);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions"), 1);
}

}  // namespace
}  // namespace gaia::testing
