#include "support/gaia_server_test.h"

#include <signal.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "support/raw_http_client.h"

namespace gaia::testing {

void GaiaServerTest::start(const std::vector<std::string>& extra_env,
                           const std::vector<std::string>& args, const std::string& database_url) {
  std::vector<std::string> env = {
      "DATABASE_URL=" + (database_url.empty() ? "sqlite:" + db_path() : database_url),
      "GAIA_ADMIN_KEY=" + admin_key_, "PORT=0", "GAIA_THREADS=2"};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  add_idle_proc_root(env, dir_);
  // Commands run as the server's exec account, not as the test's user: like /tmp, the
  // directory is theirs to write in, and the sticky bit keeps the server's files its own.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms(01777));
  server_ = std::make_unique<ServerProcess>(args, env);
  std::optional<uint16_t> port = server_->read_port();
  ASSERT_TRUE(port) << server_->stdout_ << server_->stderr_;
  port_ = *port;
  ASSERT_TRUE(server_->read_line_starting("[INFO] Health:"))
      << server_->stdout_ << server_->stderr_;
}

void GaiaServerTest::stop() {
  server_->signal(SIGTERM);
  const int code = server_->wait_exit();
  const std::string err = server_->stderr_;
  server_.reset();
  ASSERT_EQ(code, 0) << err;
}

std::string GaiaServerTest::create_user_key(const std::string& name, const std::string& user,
                                            const std::string& key) {
  auto created = http_request(port_, "POST", "/api/admin/users", admin_key_, user);
  EXPECT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
  auto made = http_request(port_, "POST", "/api/admin/users/" + name + "/keys", admin_key_, key);
  EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
  if (!made || made->status != 201) return "";
  return std::string(boost::json::parse(made->body).at("key").as_string());
}

int64_t GaiaServerTest::count_rows(const std::string& sql) const {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  const int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

std::string GaiaServerTest::idle_proc_root() { return testing::idle_proc_root(dir_); }

void FakeProcServerTest::SetUp() {
  std::filesystem::create_directories(dir_.path() / "proc");
  // A /proc/stat that never moves: no CPU load is ever measured.
  std::ifstream stat("/proc/stat");
  std::string first;
  std::getline(stat, first);
  write_file("proc/stat", first + "\n");
  set_memory_used_pct(40);
}

void FakeProcServerTest::set_memory_used_pct(int pct) {
  constexpr long kTotalKb = 8'000'000;
  write_file("proc/meminfo", "MemTotal: " + std::to_string(kTotalKb) + " kB\nMemFree: 1000 kB\n" +
                                 "MemAvailable: " + std::to_string(kTotalKb * (100 - pct) / 100) +
                                 " kB\n");
}

void FakeProcServerTest::write_file(const std::string& relative, const std::string& text) {
  const auto tmp = dir_.path() / (relative + ".new");
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, dir_.path() / relative);
}

}  // namespace gaia::testing
