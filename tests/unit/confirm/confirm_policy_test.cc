// The confirmation service over a real SQLite store: patterns seeded, changed and published
// without a restart; decisions logged; the reviewer consulted only when no pattern decides,
// with its fallback; reputation lowered by denials and saved.

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "api/reviewer_client.h"
#include "confirm/confirmer.h"
#include "confirm/default_patterns.h"
#include "confirm/pattern_book.h"
#include "reputation/reputation_book.h"
#include "store/sqlite/sqlite_store.h"
#include "support/loopback_server.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::confirm {
namespace {

using confirm::Verdict;

class ConfirmPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    auto book = PatternBook::load(*store_, 1000);
    ASSERT_TRUE(book.ok()) << book.status().message();
    book_ = std::move(book.value());
  }
  ConfirmAnswer ask(const std::string& command, api::ReviewerClient* reviewer = nullptr,
                    Verdict fallback = Verdict::kAsk) {
    Confirmer confirmer(*book_, reviewer, &reputation_, *store_, clock_, {fallback});
    ConfirmQuestion q;
    q.request.command = command;
    q.request.cwd = "/src";
    q.request.tool = "Bash";
    q.request.session_id = "s-9";
    q.user = "ann";
    q.key_id = 5;
    std::promise<ConfirmAnswer> done;
    confirmer.decide_async(q, [&](ConfirmAnswer a) { done.set_value(std::move(a)); });
    return done.get_future().get();
  }
  static confirm::PatternSpec approve_make() {
    confirm::PatternSpec spec;
    spec.id = "approve-make";
    spec.name = "make";
    spec.match = confirm::MatchKind::kPrefix;
    spec.pattern = "make";
    spec.decision = Verdict::kApprove;
    spec.priority = 10;
    return spec;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<PatternBook> book_;
  reputation::ReputationBook reputation_{core::ReputationConfig{}, clock_};
};

TEST_F(ConfirmPolicyTest, AFirstStartSeedsTheDefaultPatterns) {
  EXPECT_EQ(book_->list().size(), confirm::default_patterns().size());
  EXPECT_EQ(store_->list_patterns().value().size(), confirm::default_patterns().size());
}

TEST_F(ConfirmPolicyTest, APatternDenialIsAnsweredAndLogged) {
  ConfirmAnswer a = ask("cd /tmp && rm -rf /");
  EXPECT_EQ(a.verdict, Verdict::kDeny);
  EXPECT_EQ(a.source, "pattern");
  ASSERT_TRUE(a.pattern_id.has_value());
  ASSERT_TRUE(store_->flush().ok());
  auto rows = store_->list_decisions({.user = "ann"});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().decision, "deny");
  EXPECT_EQ(rows->front().pattern_id, *a.pattern_id);
  EXPECT_EQ(rows->front().cwd, "/src");
  EXPECT_EQ(rows->front().session_id, "s-9");
  EXPECT_EQ(rows->front().key_id, 5u);
}

TEST_F(ConfirmPolicyTest, ADenialLowersTheReputation) {
  const double before = reputation_.score("ann");
  ask("rm -rf /");
  EXPECT_LT(reputation_.score("ann"), before);
  ASSERT_TRUE(reputation_.flush(*store_).ok());
  reputation::ReputationBook reloaded(core::ReputationConfig{}, clock_);
  ASSERT_TRUE(reloaded.load(*store_).ok());
  EXPECT_DOUBLE_EQ(reloaded.score("ann"), reputation_.score("ann"));
  EXPECT_EQ(reloaded.to_json("ann").at("events").as_array().size(), 1u);
}

TEST_F(ConfirmPolicyTest, AnUnmatchedCommandIsAskedByDefault) {
  ConfirmAnswer a = ask("make deploy-everything");
  EXPECT_EQ(a.verdict, Verdict::kAsk);
  EXPECT_EQ(a.source, "default");
}

TEST_F(ConfirmPolicyTest, ANewPatternDecidesTheNextRequestAndSurvivesAReload) {
  ASSERT_TRUE(book_->create(approve_make(), 2000).ok());
  EXPECT_EQ(ask("make deploy-everything").verdict, Verdict::kApprove);
  auto reloaded = PatternBook::load(*store_, 3000);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_TRUE(reloaded.value()->find("approve-make").has_value());

  confirm::PatternSpec deny = approve_make();
  deny.decision = Verdict::kDeny;
  ASSERT_TRUE(book_->replace("approve-make", deny, 4000).ok());
  EXPECT_EQ(ask("make deploy-everything").verdict, Verdict::kDeny);
  ASSERT_TRUE(book_->remove("approve-make").ok());
  EXPECT_EQ(ask("make deploy-everything").source, "default");
  EXPECT_EQ(book_->remove("approve-make").code(), core::StatusCode::kNotFound);
}

TEST_F(ConfirmPolicyTest, AnInvalidPatternChangesNothingAndNamesTheField) {
  confirm::PatternSpec bad = approve_make();
  bad.match = confirm::MatchKind::kRegex;
  bad.pattern = "(ab";
  core::Status s = book_->create(bad, 2000);
  ASSERT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.message().starts_with("pattern: ")) << s.message();
  EXPECT_FALSE(book_->find("approve-make").has_value());
  EXPECT_EQ(store_->list_patterns().value().size(), confirm::default_patterns().size());
  ASSERT_TRUE(book_->create(approve_make(), 2000).ok());
  EXPECT_TRUE(book_->create(approve_make(), 2000).message().starts_with("id: "));
}

TEST_F(ConfirmPolicyTest, WithoutAReachableReviewerTheFallbackDecides) {
  auto reviewer =
      api::ReviewerClient::make({"http://127.0.0.1:1/review", std::chrono::milliseconds(500), 2});
  ASSERT_TRUE(reviewer.ok());
  ConfirmAnswer a = ask("make deploy-everything", reviewer.value().get(), Verdict::kDeny);
  EXPECT_EQ(a.verdict, Verdict::kDeny);
  EXPECT_EQ(a.source, "fallback");
  EXPECT_TRUE(a.reviewer_latency_ms.has_value());
  // A pattern's own answer never goes to the reviewer.
  ConfirmAnswer denied = ask("rm -rf /", reviewer.value().get(), Verdict::kApprove);
  EXPECT_EQ(denied.source, "pattern");
  EXPECT_FALSE(denied.reviewer_latency_ms.has_value());
}

// A reviewer on loopback that approves everything it is asked, counting the questions.
class ApprovingReviewer {
 public:
  ApprovingReviewer() {
    http::Router router;
    router.add_async("POST", "/review", [this](const http::Request&, http::Responder respond) {
      asked_.fetch_add(1);
      respond(http::json_response(200, {{"decision", "approve"}, {"reason", "looks fine"}}));
    });
    server_ = std::make_unique<testing::LoopbackServer>(std::move(router));
    auto c = api::ReviewerClient::make({server_->url("/review"), std::chrono::seconds(5), 2});
    EXPECT_TRUE(c.ok());
    client_ = std::move(c.value());
  }
  api::ReviewerClient* client() { return client_.get(); }
  int asked() const { return asked_.load(); }

 private:
  std::atomic<int> asked_{0};
  std::unique_ptr<testing::LoopbackServer> server_;
  std::unique_ptr<api::ReviewerClient> client_;  // last: gone before the server
};

TEST_F(ConfirmPolicyTest, TheReviewerCannotApproveWhatAPatternAskedAbout) {
  ApprovingReviewer reviewer;
  // It decides a command no pattern decided ...
  EXPECT_EQ(ask("make deploy", reviewer.client()).verdict, Verdict::kApprove);
  EXPECT_EQ(reviewer.asked(), 1);
  // ... but `git push --force` is a pattern's ask, which stands next to an unmatched `make`.
  ConfirmAnswer a = ask("make; git push --force origin main", reviewer.client());
  EXPECT_EQ(a.verdict, Verdict::kAsk);
  EXPECT_EQ(a.source, "pattern");
  EXPECT_EQ(a.pattern_id, "default-ask-git-force-push");
  EXPECT_EQ(reviewer.asked(), 1) << "a pattern's ask is never sent to the reviewer";
}

TEST_F(ConfirmPolicyTest, TheReviewerCannotApproveWhatAGuardAskedAbout) {
  ApprovingReviewer reviewer;
  ConfirmAnswer option = ask("make; rg --pre ./x foo", reviewer.client());
  EXPECT_EQ(option.verdict, Verdict::kAsk);
  EXPECT_EQ(option.source, "option");
  ConfirmAnswer env = ask("PATH=/tmp/x make", reviewer.client());
  EXPECT_EQ(env.verdict, Verdict::kAsk);
  EXPECT_EQ(env.source, "environment");
  EXPECT_EQ(reviewer.asked(), 0);
}

TEST_F(ConfirmPolicyTest, AnApprovingFallbackNeverApprovesWhatAPatternOrGuardAskedAbout) {
  auto reviewer =
      api::ReviewerClient::make({"http://127.0.0.1:1/review", std::chrono::milliseconds(500), 2});
  ASSERT_TRUE(reviewer.ok());
  for (const char* command : {"make; git push --force origin main", "make; date -s 2020-01-01",
                              "LD_PRELOAD=/tmp/x.so make"}) {
    ConfirmAnswer a = ask(command, reviewer.value().get(), Verdict::kApprove);
    EXPECT_EQ(a.verdict, Verdict::kAsk) << command;
    EXPECT_NE(a.source, "fallback") << command;
  }
  // What no pattern decided still gets the fallback.
  EXPECT_EQ(ask("make deploy", reviewer.value().get(), Verdict::kApprove).source, "fallback");
}

}  // namespace
}  // namespace gaia::confirm
