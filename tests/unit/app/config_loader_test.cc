#include "app/config_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/settings.h"

namespace gaia::app {
namespace {

// argv or envp as the C runtime passes them: null-terminated.
class CStrings {
 public:
  CStrings(std::initializer_list<std::string> items) : CStrings(std::vector<std::string>(items)) {}
  explicit CStrings(std::vector<std::string> items) : items_(std::move(items)) {
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

// A valid value of `setting` other than its default, from values that suit most settings
// (a setting of a new form needs one more here). The reviewer's URL comes with it, since
// confirm_ai_enabled=true needs one.
std::string non_default_value(const Setting& setting) {
  const std::string kReviewer = "http://127.0.0.1:9/review";
  const std::string shown_default = setting.field.show(default_config());
  // Integers, choices, an address, a zone, a database, a path, a readable file, a map, a URL, a
  // long secret.
  std::vector<std::string> candidates = {"7",
                                         "2",
                                         "0",
                                         "true",
                                         "hold",
                                         "refuse",
                                         "closed",
                                         "off",
                                         "deny",
                                         "::1",
                                         "Europe/Paris",
                                         "postgres://db/gaia",
                                         "/srv/gaia",
                                         "/etc/passwd",
                                         "alice=builder",
                                         "local",
                                         "json",
                                         "warn",
                                         "1000",
                                         "redis://127.0.0.1:6379"};
  candidates.push_back(kReviewer);
  candidates.push_back(std::string(40, 'k'));
  for (const std::string& candidate : candidates) {
    if (candidate == shown_default) continue;
    Settings env = {{"confirm_reviewer_url", kReviewer}, {std::string(setting.key), candidate}};
    auto c = resolve_config({}, env, {});
    if (c.ok() && setting.field.show(c.value()) == candidate) return candidate;
  }
  ADD_FAILURE() << "no value for setting " << setting.key << "; add one above";
  return "";
}

TEST_F(ConfigLoaderTest, EverySettingIsReachableByItsFlagItsVariableAndItsFileKey) {
  const std::string reviewer = "GAIA_CONFIRM_REVIEWER_URL=http://127.0.0.1:9/review";
  for (const Setting& setting : setting_table()) {
    // The config file's own setting is reached by reading the file it names.
    const std::string value =
        setting.key == kConfigFileKey ? write_file("# empty\n") : non_default_value(setting);
    const std::string key(setting.key);
    const std::string env(setting.env);
    std::vector<std::pair<std::string, LoadedConfig>> loads;
    if (!setting.flag.empty()) {
      loads.emplace_back(
          setting.flag,
          load(CStrings({"gaia_server", std::string(setting.flag), value}), CStrings({reviewer})));
    }
    loads.emplace_back(env,
                       load(CStrings({"gaia_server"}), CStrings({reviewer, env + "=" + value})));
    if (setting.reach == Reach::kEverywhere) {
      std::string path = write_file(key + " = " + value + "\n");
      loads.emplace_back("file key " + key, load(CStrings({"gaia_server"}),
                                                 CStrings({reviewer, "GAIA_CONFIG=" + path})));
    }
    for (const auto& [how, loaded] : loads) {
      ASSERT_TRUE(loaded.config) << how << ": " << err_.str();
      EXPECT_EQ(setting.field.show(*loaded.config), value) << how;
    }
    EXPECT_EQ(loads.size(), setting.reach == Reach::kEverywhere  ? 3u
                            : setting.reach == Reach::kNotInFile ? 2u
                                                                 : 1u)
        << key;
  }
}

// The lines of --help from the one starting with `name` to the next entry.
std::string help_entry(const std::string& help, const std::string& name) {
  const std::size_t start = help.find("\n  " + name + " ");
  if (start == std::string::npos) return "";
  std::size_t end = start + 1;
  do {
    end = help.find('\n', end + 1);
  } while (end != std::string::npos && end + 3 < help.size() && help[end + 1] == ' ' &&
           help[end + 3] == ' ');  // a continuation line is indented past the names
  return help.substr(start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}

TEST_F(ConfigLoaderTest, HelpListsEveryFlagVariableAndFileKeyWithItsRealDefault) {
  auto loaded = load({"gaia_server", "--help"}, {});
  ASSERT_EQ(loaded.exit_code, 0);
  const std::string help = out_.str();
  const Config defaults = default_config();
  for (const Setting& setting : setting_table()) {
    const std::string name(setting.flag.empty() ? setting.env : setting.flag);
    const std::string entry = help_entry(help, name);
    ASSERT_FALSE(entry.empty()) << name << " missing from:\n" << help;
    const std::string shown = setting.field.show(defaults);
    EXPECT_TRUE(entry.ends_with("default " + (shown.empty() ? "none" : shown))) << entry;
    EXPECT_NE(entry.find(std::string(setting.env)), std::string::npos) << entry;
    if (setting.reach == Reach::kEverywhere) {
      EXPECT_NE(entry.find("file key " + std::string(setting.key)), std::string::npos) << entry;
    } else {
      EXPECT_EQ(entry.find("file key"), std::string::npos) << entry;
    }
  }
}

}  // namespace
}  // namespace gaia::app
