#include "confirm/approval_desk.h"

#include <gtest/gtest.h>

#include "support/manual_clock.h"

namespace gaia::confirm {
namespace {

using std::chrono::seconds;

class ApprovalDeskTest : public ::testing::Test {
 protected:
  // Opens an approval of `user` whose answers land in answers_; nullopt when it found no room.
  std::optional<PendingApproval> open(ApprovalDesk& desk, std::string command,
                                      std::string user = "ann") {
    Opened opened = desk.open({std::move(user), "shell", std::move(command), "needs a person"},
                              [this](const ApprovalAnswer& a) { answers_.push_back(a); });
    if (!opened.ok()) return std::nullopt;
    return opened.approval;
  }

  testing::ManualClock clock_;
  std::vector<ApprovalAnswer> answers_;
};

TEST_F(ApprovalDeskTest, AnAdminsAnswerSettlesOnceWithWhoAndWhy) {
  ApprovalDesk desk(clock_, seconds(60), 8, 8);
  auto a = open(desk, "git push --force");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->expires_at_ms - a->requested_at_ms, 60'000);
  ASSERT_EQ(desk.pending().size(), 1u);
  auto settled = desk.decide(a->id, true, "root", "ok");
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled->request.command, "git push --force");
  ASSERT_EQ(answers_.size(), 1u);
  EXPECT_EQ(answers_[0].outcome, ApprovalOutcome::kApproved);
  EXPECT_EQ(answers_[0].by, "root");
  EXPECT_EQ(answers_[0].note, "ok");
  EXPECT_EQ(desk.decide(a->id, false, "root", "").status().code(), core::StatusCode::kNotFound);
  desk.withdraw(a->id);
  EXPECT_EQ(answers_.size(), 1u);
  EXPECT_TRUE(desk.pending().empty());
}

TEST_F(ApprovalDeskTest, TimeRunsOutOnlyForThoseDue) {
  ApprovalDesk desk(clock_, seconds(10), 8, 8);
  auto first = open(desk, "one");
  clock_.advance(seconds(5));
  auto second = open(desk, "two");
  clock_.advance(seconds(4));
  desk.expire();
  EXPECT_TRUE(answers_.empty());
  clock_.advance(seconds(1));  // the first is due, the second not
  desk.expire();
  ASSERT_EQ(answers_.size(), 1u);
  EXPECT_EQ(answers_[0].outcome, ApprovalOutcome::kExpired);
  ASSERT_EQ(desk.pending().size(), 1u);
  EXPECT_EQ(desk.pending()[0].id, second->id);
  EXPECT_FALSE(desk.decide(first->id, true, "root", "").ok());
}

TEST_F(ApprovalDeskTest, WithdrawnWhenTheRequesterLeaves) {
  ApprovalDesk desk(clock_, seconds(10), 8, 8);
  auto a = open(desk, "one");
  desk.withdraw(a->id);
  ASSERT_EQ(answers_.size(), 1u);
  EXPECT_EQ(answers_[0].outcome, ApprovalOutcome::kWithdrawn);
  EXPECT_TRUE(desk.pending().empty());
}

TEST_F(ApprovalDeskTest, BoundedAndOffWhenTheWaitIsZero) {
  ApprovalDesk desk(clock_, seconds(10), 2, 2);
  EXPECT_TRUE(open(desk, "one"));
  EXPECT_TRUE(open(desk, "two"));
  EXPECT_FALSE(open(desk, "three"));
  ApprovalDesk off(clock_, seconds(0), 2, 2);
  EXPECT_EQ(off.open({"ann", "shell", "one", "needs a person"}, [](const ApprovalAnswer&) {}).room,
            DeskRoom::kOff);
}

TEST_F(ApprovalDeskTest, OneUserCannotTakeTheRoomOfOthers) {
  ApprovalDesk desk(clock_, seconds(10), 4, 2);
  auto first = open(desk, "one");
  ASSERT_TRUE(first);
  ASSERT_TRUE(open(desk, "two"));
  EXPECT_EQ(desk.room_for("ann"), DeskRoom::kUserFull);
  Opened third = desk.open({"ann", "shell", "three", "x"}, [](const ApprovalAnswer&) {});
  EXPECT_EQ(third.room, DeskRoom::kUserFull);
  EXPECT_EQ(desk.pending().size(), 2u);
  // Every other user still finds room, up to the desk's total.
  EXPECT_TRUE(open(desk, "b1", "bob"));
  EXPECT_TRUE(open(desk, "c1", "cy"));
  EXPECT_EQ(desk.room_for("dee"), DeskRoom::kFull);
  EXPECT_FALSE(open(desk, "d1", "dee"));
  // A settled approval gives its user's room back.
  ASSERT_TRUE(desk.decide(first->id, false, "root", "").ok());
  EXPECT_EQ(desk.room_for("ann"), DeskRoom::kOpened);
  EXPECT_TRUE(open(desk, "three"));
}

TEST_F(ApprovalDeskTest, TheJsonNamesEveryField) {
  ApprovalDesk desk(clock_, seconds(10), 2, 2);
  auto a = open(desk, "<b>x</b>");
  boost::json::object o = approval_json(*a, "waiting");
  EXPECT_EQ(o.at("command"), "<b>x</b>");
  EXPECT_EQ(o.at("state"), "waiting");
  EXPECT_EQ(o.at("user"), "ann");
  EXPECT_EQ(o.at("expires_at_ms").to_number<int64_t>(), a->expires_at_ms);
}

}  // namespace
}  // namespace gaia::confirm
