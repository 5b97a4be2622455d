#include "app/violation_announcer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace gaia::app {
namespace {

struct Captured final : http::LiveFeed {
  std::vector<std::pair<std::string, boost::json::object>> messages;
  void publish(std::string_view type, boost::json::object data) override {
    messages.emplace_back(std::string(type), std::move(data));
  }
};

std::optional<std::string> name_of(uint64_t id) {
  if (id == 7) return "alice";
  return std::nullopt;
}

TEST(ViolationAnnouncerTest, AnnouncesARefusalWithTheUsersName) {
  Captured feed;
  ViolationAnnouncer announcer(feed, name_of);
  announcer.on_violation({7, 3, "build", "calendar:day:500", "make all", 1'000'500});
  ASSERT_EQ(feed.messages.size(), 1u);
  EXPECT_EQ(feed.messages[0].first, "violation");
  EXPECT_EQ(boost::json::serialize(feed.messages[0].second),
            R"({"user":"alice","type":"build","limit":"calendar:day:500",)"
            R"("command":"make all","at_ms":1000500,"count":1,"first_at":1000500})");
}

TEST(ViolationAnnouncerTest, AnEpisodeIsAnnouncedWithItsCountAndFirstTime) {
  Captured feed;
  ViolationAnnouncer announcer(feed, name_of);
  store::Violation episode{7, 3, "build", "rate:1s:5", "make", 1'000'900};
  episode.count = 250;
  episode.span_ms = 800;
  announcer.on_violation(episode);
  ASSERT_EQ(feed.messages.size(), 1u);
  EXPECT_EQ(feed.messages[0].second.at("count"), 250);
  EXPECT_EQ(feed.messages[0].second.at("first_at"), 1'000'100);
  EXPECT_EQ(feed.messages[0].second.at("at_ms"), 1'000'900);
}

// A feed that sends nothing: it folds every message into its count.
struct Folding final : http::LiveFeed {
  int folded = 0;
  void publish(std::string_view, boost::json::object) override { ADD_FAILURE() << "built"; }
  void publish_built(std::string_view, const std::function<boost::json::object()>&) override {
    ++folded;
  }
};

TEST(ViolationAnnouncerTest, ARefusalTheFeedFoldsIsNotFormatted) {
  Folding feed;
  int lookups = 0;
  ViolationAnnouncer announcer(feed, [&lookups](uint64_t) -> std::optional<std::string> {
    ++lookups;
    return "alice";
  });
  for (int i = 0; i < 3; ++i) announcer.on_violation({7, 3, "build", "rate:1s:5", "make", 1'000});
  EXPECT_EQ(feed.folded, 3);
  EXPECT_EQ(lookups, 0);  // not even the user's name was looked up
}

}  // namespace
}  // namespace gaia::app
