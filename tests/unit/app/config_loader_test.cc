#include "app/config_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace gaia::app {
namespace {

// argv or envp as the C runtime passes them: null-terminated.
class CStrings {
 public:
  CStrings(std::initializer_list<std::string> items) : items_(items) {
    for (const std::string& s : items_) ptrs_.push_back(s.c_str());
    ptrs_.push_back(nullptr);
  }
  int size() const { return static_cast<int>(items_.size()); }
  const char* const* get() const { return ptrs_.data(); }

 private:
  std::vector<std::string> items_;
  std::vector<const char*> ptrs_;
};

class ConfigLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gaia_config_loader_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& text) {
    std::string path = (dir_ / "gaia.conf").string();
    std::ofstream(path) << text;
    return path;
  }
  LoadedConfig load(const CStrings& argv, const CStrings& envp) {
    return load_config(argv.size(), argv.get(), envp.get(), out_, err_);
  }

  std::filesystem::path dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ConfigLoaderTest, FlagBeatsEnvironmentBeatsFile) {
  std::string path = write_file("port = 1001\nbind = 10.0.0.1\ntime_zone = Asia/Tokyo\n");
  auto loaded = load({"gaia_server", "--port", "1003"},
                     {"GAIA_CONFIG=" + path, "PORT=1002", "GAIA_BIND=10.0.0.2", "HOME=/x"});
  ASSERT_TRUE(loaded.config) << err_.str();
  EXPECT_EQ(loaded.config->port, 1003);
  EXPECT_EQ(loaded.config->bind_address, "10.0.0.2");
  EXPECT_EQ(loaded.config->time_zone, "Asia/Tokyo");
}

TEST_F(ConfigLoaderTest, ConfigFlagBeatsConfigEnvironment) {
  std::string path = write_file("port = 1001\n");
  auto loaded = load({"gaia_server", "--config", path}, {"GAIA_CONFIG=/nonexistent"});
  ASSERT_TRUE(loaded.config) << err_.str();
  EXPECT_EQ(loaded.config->port, 1001);
}

TEST_F(ConfigLoaderTest, BadValueExits2NamingTheSetting) {
  auto loaded = load({"gaia_server", "--threads", "many"}, {});
  EXPECT_FALSE(loaded.config);
  EXPECT_EQ(loaded.exit_code, 2);
  EXPECT_NE(err_.str().find("--threads"), std::string::npos) << err_.str();
}

TEST_F(ConfigLoaderTest, MissingConfigFileExits2) {
  auto loaded = load({"gaia_server"}, {"GAIA_CONFIG=/nonexistent/gaia.conf"});
  EXPECT_EQ(loaded.exit_code, 2);
  EXPECT_NE(err_.str().find("/nonexistent/gaia.conf"), std::string::npos) << err_.str();
}

TEST_F(ConfigLoaderTest, UnknownFlagExits2) {
  auto loaded = load({"gaia_server", "--colour"}, {});
  EXPECT_FALSE(loaded.config);
  EXPECT_EQ(loaded.exit_code, 2);
}

TEST_F(ConfigLoaderTest, HelpPrintsUsageAndExits0) {
  auto loaded = load({"gaia_server", "--help"}, {});
  EXPECT_FALSE(loaded.config);
  EXPECT_EQ(loaded.exit_code, 0);
  EXPECT_NE(out_.str().find("--database-url"), std::string::npos) << out_.str();
}

TEST_F(ConfigLoaderTest, EmptyEnvironmentValueCountsAsUnset) {
  auto loaded = load({"gaia_server"}, {"PORT="});
  ASSERT_TRUE(loaded.config) << err_.str();
  EXPECT_EQ(loaded.config->port, 8080);
}

}  // namespace
}  // namespace gaia::app
