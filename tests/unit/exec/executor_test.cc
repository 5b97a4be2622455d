// The executor through real parts: a real limiter, scheduler, process runner and SQLite file.

#include "exec/executor.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>

#include "app/system_clock.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/core/test_rules.h"

namespace gaia::exec {
namespace {

using std::chrono::seconds;
using testing::kShell;

// Collects a command's events and lets the test wait for its end.
class Events : public ExecObserver {
 public:
  void on_refused(const Refusal& r) override { end("refused", r.code, r.status); }
  void on_queued(const core::Enqueued& e) override { add("queued:" + std::to_string(e.position)); }
  void on_started() override {
    std::lock_guard lock(mu_);
    started_at_ = std::chrono::steady_clock::now();
    log_.push_back("started");
    cv_.notify_all();
  }
  void on_output(OutputStream s, std::string_view bytes) override {
    std::lock_guard lock(mu_);
    (s == OutputStream::kStdout ? out_ : err_) += bytes;
  }
  void on_exited(const RunResult& r, const core::Status& recorded) override {
    std::lock_guard lock(mu_);
    result_ = r;
    recorded_ = recorded;
    log_.push_back("exited");
    done_ = true;
    cv_.notify_all();
  }
  void on_failed(const core::Status& why) override { end("failed", why.message(), 0); }

  // Waits for the end (bounded); the event names in order.
  std::vector<std::string> wait() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, seconds(20), [this] { return done_; });
    return log_;
  }
  // Waits (bounded) until the command started; whether it did.
  bool wait_started() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(20), [this] {
      return std::find(log_.begin(), log_.end(), "started") != log_.end();
    });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
  std::string out_, err_, refusal_code_;
  unsigned refusal_status_ = 0;
  RunResult result_;
  core::Status recorded_;
  std::chrono::steady_clock::time_point started_at_;
  bool done_ = false;

 private:
  void add(std::string event) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(event));
  }
  void end(std::string event, std::string code, unsigned status) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(event));
    refusal_code_ = std::move(code);
    refusal_status_ = status;
    done_ = true;
    cv_.notify_all();
  }
};

class ScriptedConfirmation : public ConfirmationHook {
 public:
  explicit ScriptedConfirmation(Confirmation answer) : answer_(std::move(answer)) {}
  void review(const ExecRequest&, std::function<void(Confirmation)> done) override {
    done(answer_);
  }

 private:
  Confirmation answer_;
};

// Keeps every question unanswered until the test answers it, as a slow reviewer would.
class HeldConfirmation : public ConfirmationHook {
 public:
  void review(const ExecRequest&, std::function<void(Confirmation)> done) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(done));
  }
  size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  // Answers every held question with `answer`, on this thread.
  void answer_all(const Confirmation& answer) {
    std::vector<std::function<void(Confirmation)>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& done : held) done(answer);
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void(Confirmation)>> held_;
};

class RefusingLoad : public LoadGate {
 public:
  core::Admission admit(core::Tier) override {
    core::Admission a;
    a.factor = 0;
    a.refuse = true;
    a.retry_after = seconds(7);
    return a;
  }
};

ProcessRunnerOptions without_cgroups() {
  ProcessRunnerOptions options;
  options.cgroups = CgroupMode::kOff;
  options.supervisor_path = GAIA_SUPERVISOR;
  return options;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened.value());
    use_rules({});
  }
  void use_rules(std::vector<core::Rule> extra) {
    std::vector<core::Rule> rules = core::default_rules();
    for (core::Rule& r : extra) rules.push_back(std::move(r));
    limiter_ =
        std::make_unique<core::Limiter>(testing::compile_or_die(rules), core::LimiterOptions{});
    executor_ = std::make_unique<Executor>(*limiter_, scheduler_, runner_, *store_, clock_,
                                           confirm_.get(), load_.get());
  }
  ExecRequest request(std::vector<std::string> argv, uint64_t user = 1) {
    ExecRequest r;
    r.id = "exec-" + std::to_string(++next_id_);
    r.user_id = user;
    r.principal = {user, 10 + user, core::Tier::kDefault};
    r.type = kShell;
    r.spec.argv = std::move(argv);
    return r;
  }

  testing::TempDir dir_;
  app::SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::Limiter> limiter_;
  Scheduler scheduler_{{.workers = 2}, clock_};
  ProcessRunner runner_{clock_, without_cgroups()};
  std::unique_ptr<ConfirmationHook> confirm_;
  std::unique_ptr<LoadGate> load_;
  std::unique_ptr<Executor> executor_;
  int next_id_ = 0;
};

TEST_F(ExecutorTest, RunsACommandStreamsItsOutputAndRecordsIt) {
  auto events = std::make_shared<Events>();
  ExecRequest req = request({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  const std::string id = req.id;
  ASSERT_TRUE(executor_->submit(std::move(req), events));
  EXPECT_EQ(events->wait(), (std::vector<std::string>{"queued:0", "started", "exited"}));
  EXPECT_EQ(events->out_, "out\n");
  EXPECT_EQ(events->err_, "err\n");
  EXPECT_EQ(events->result_.exit_code, 3);
  EXPECT_TRUE(events->recorded_.ok());
  auto row = store_->find_execution(1, id);
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row.value().has_value());
  EXPECT_EQ(row.value()->exit_code, 3);
  EXPECT_EQ(row.value()->type, "shell");
  EXPECT_EQ(row.value()->command, "/bin/sh -c 'echo out; echo err >&2; exit 3'");
}

TEST_F(ExecutorTest, AnExhaustedQuotaRefusesAndStoresTheViolation) {
  use_rules({testing::rule_for(testing::user_subject(1), "shell",
                               {core::LimitSpec::calendar(1, core::CalendarPeriod::kDay)})});
  auto first = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(request({"/bin/true"}), first));
  first->wait();
  auto second = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(request({"/bin/true"}), second));
  EXPECT_EQ(second->wait(), std::vector<std::string>{"refused"});
  EXPECT_EQ(second->refusal_status_, 429u);
  ASSERT_TRUE(store_->flush().ok());
  auto violations = store_->violations_since(0);
  ASSERT_TRUE(violations.ok());
  ASSERT_EQ(violations.value().size(), 1u);
  EXPECT_EQ(violations.value()[0].limit, "shell-day");
  EXPECT_EQ(violations.value()[0].command, "/bin/true");
}

TEST_F(ExecutorTest, AnAgentsCommandIsDeniedOrHeldByTheConfirmationHook) {
  confirm_ = std::make_unique<ScriptedConfirmation>(
      Confirmation{Confirmation::Verdict::kDeny, "recursive delete of /"});
  use_rules({});
  ExecRequest req = request({"/bin/true"});
  req.from_agent = true;
  auto denied = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(std::move(req), denied));
  denied->wait();
  EXPECT_EQ(denied->refusal_status_, 403u);

  auto person = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(request({"/bin/true"}), person)) << "only agents are reviewed";
  person->wait();

  confirm_ =
      std::make_unique<ScriptedConfirmation>(Confirmation{Confirmation::Verdict::kAsk, "sudo"});
  use_rules({});
  req = request({"/bin/true"});
  req.from_agent = true;
  auto asked = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(std::move(req), asked));
  asked->wait();
  EXPECT_EQ(asked->refusal_status_, 428u);
}

TEST_F(ExecutorTest, AnAgentsCommandWaitsForTheHooksAnswerWithoutHoldingTheCaller) {
  auto hook = std::make_unique<HeldConfirmation>();
  HeldConfirmation& held = *hook;
  confirm_ = std::move(hook);
  use_rules({});
  ExecRequest req = request({"/bin/true"});
  req.from_agent = true;
  auto events = std::make_shared<Events>();
  // submit() returns while the question is still unanswered.
  ASSERT_TRUE(executor_->submit(std::move(req), events));
  EXPECT_EQ(held.held(), 1u);
  {
    std::lock_guard lock(events->mu_);
    EXPECT_TRUE(events->log_.empty()) << "nothing happens before the answer";
  }
  held.answer_all({Confirmation::Verdict::kApprove, "fine"});
  EXPECT_EQ(events->wait(), (std::vector<std::string>{"queued:0", "started", "exited"}));
}

TEST_F(ExecutorTest, ACommandCancelledWhileTheHookDecidesNeverRuns) {
  auto hook = std::make_unique<HeldConfirmation>();
  HeldConfirmation& held = *hook;
  confirm_ = std::move(hook);
  use_rules({});
  ExecRequest req = request({"/bin/true"});
  req.from_agent = true;
  auto events = std::make_shared<Events>();
  std::optional<Executor::Handle> handle = executor_->submit(std::move(req), events);
  ASSERT_TRUE(handle);
  executor_->cancel(*handle);
  EXPECT_EQ(events->wait(), std::vector<std::string>{"failed"});
  // The approval that comes afterwards finds the command gone: it is never queued (a queued
  // command is told so before answer_all returns).
  held.answer_all({Confirmation::Verdict::kApprove, "fine"});
  std::lock_guard lock(events->mu_);
  EXPECT_EQ(events->log_, std::vector<std::string>{"failed"});
}

TEST_F(ExecutorTest, AnOverloadedMachineRefusesWithRetryAfter) {
  load_ = std::make_unique<RefusingLoad>();
  use_rules({});
  auto events = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(request({"/bin/true"}), events));
  events->wait();
  EXPECT_EQ(events->refusal_status_, 503u);
  EXPECT_EQ(events->refusal_code_, "overloaded");
}

TEST_F(ExecutorTest, CancelStopsARunningCommandAndStillRecordsIt) {
  auto events = std::make_shared<Events>();
  auto handle = executor_->submit(request({"/bin/sleep", "30"}), events);
  ASSERT_TRUE(handle);
  ASSERT_TRUE(events->wait_started());
  executor_->cancel(*handle);
  EXPECT_EQ(events->wait().back(), "exited");
  EXPECT_TRUE(events->result_.cancelled);
  EXPECT_GT(events->result_.term_signal, 0);
}

TEST_F(ExecutorTest, CancelTakesAWaitingCommandOutOfTheQueue) {
  use_rules({testing::rule_for(testing::user_subject(1), "shell",
                               {{core::LimitKind::kConcurrency, 1, {}, {}}})});
  auto running = std::make_shared<Events>();
  auto first = executor_->submit(request({"/bin/sleep", "30"}), running);
  auto waiting = std::make_shared<Events>();
  auto second = executor_->submit(request({"/bin/true"}), waiting);
  ASSERT_TRUE(first && second);
  executor_->cancel(*second);
  std::vector<std::string> log = waiting->wait();
  executor_->cancel(*first);
  running->wait();
  // One command at a time for this user: the second only waited. Its place in line may move
  // (when the first leaves the line to start), each move another "queued:" event.
  ASSERT_GE(log.size(), 2u);
  for (size_t i = 0; i + 1 < log.size(); ++i) EXPECT_EQ(log[i].substr(0, 7), "queued:");
  EXPECT_EQ(log.back(), "failed");
}

TEST_F(ExecutorTest, AConcurrencyLimitMakesCommandsWaitTheirTurn) {
  use_rules({testing::rule_for(testing::user_subject(1), "shell",
                               {{core::LimitKind::kConcurrency, 1, {}, {}}})});
  auto a = std::make_shared<Events>();
  auto b = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(request({"/bin/sh", "-c", "sleep 0.2"}), a));
  ASSERT_TRUE(executor_->submit(request({"/bin/true"}), b));
  a->wait();
  b->wait();
  EXPECT_EQ(b->result_.exit_code, 0);
  EXPECT_GE(b->started_at_ - a->started_at_, a->result_.wall_duration)
      << "the second started only once the first had ended";
}

TEST_F(ExecutorTest, AProgramThatCannotStartFailsClearly) {
  auto events = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(request({"no-such-program-anywhere"}), events));
  EXPECT_EQ(events->wait().back(), "failed");
  EXPECT_NE(events->refusal_code_.find("no-such-program-anywhere"), std::string::npos)
      << events->refusal_code_;
  events = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(request({"/no/such/program"}), events));
  EXPECT_EQ(events->wait().back(), "failed");
  EXPECT_NE(events->refusal_code_.find("/no/such/program"), std::string::npos)
      << events->refusal_code_;
}

TEST_F(ExecutorTest, AnIdTheUserAlreadyRecordedIsRefused409BeforeAnythingRuns) {
  ExecRequest first = request({"/bin/true"});
  first.id = "victim-42";
  auto ran = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(first, ran));
  ASSERT_EQ(ran->wait().back(), "exited");

  auto again = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(first, again));
  EXPECT_EQ(again->wait(), std::vector<std::string>{"refused"});
  EXPECT_EQ(again->refusal_status_, 409u);
  EXPECT_EQ(again->refusal_code_, "duplicate_id");
  ASSERT_TRUE(store_->flush().ok());
  EXPECT_EQ(store_->usage_since(0).value().at(0).used, 1u) << "the refusal took no quota";

  // The same id is free for another user.
  ExecRequest other = request({"/bin/true"}, 2);
  other.id = "victim-42";
  auto theirs = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(other, theirs));
  EXPECT_EQ(theirs->wait().back(), "exited");
  EXPECT_TRUE(theirs->recorded_.ok()) << theirs->recorded_.message();
}

TEST_F(ExecutorTest, AnIdStillRunningIsRefusedToItsTwin) {
  ExecRequest running = request({"/bin/sleep", "30"});
  running.id = "twin";
  auto first = std::make_shared<Events>();
  auto handle = executor_->submit(running, first);
  ASSERT_TRUE(handle);
  ASSERT_TRUE(first->wait_started());
  auto twin = std::make_shared<Events>();
  EXPECT_FALSE(executor_->submit(running, twin));
  EXPECT_EQ(twin->refusal_status_, 409u);
  executor_->cancel(*handle);
  EXPECT_EQ(first->wait().back(), "exited");
}

TEST_F(ExecutorTest, AnIdRecordedElsewhereMeanwhileIsReportedNotRecorded) {
  // The command waits for a file, so the test can record the same id first, as another
  // server sharing the database would.
  const std::string gate = dir_.file("go");
  ExecRequest req = request({"/bin/sh", "-c", "while [ ! -e " + gate + " ]; do sleep 0.01; done"});
  req.id = "raced";
  auto events = std::make_shared<Events>();
  ASSERT_TRUE(executor_->submit(req, events));
  ASSERT_TRUE(events->wait_started());
  store::Execution elsewhere;
  elsewhere.id = "raced";
  elsewhere.user_id = 1;
  elsewhere.type = "shell";
  elsewhere.command = "elsewhere";
  elsewhere.exit_code = 0;
  std::promise<core::Result<bool>> stored;
  store_->record_execution(elsewhere,
                           [&](core::Result<bool> r) { stored.set_value(std::move(r)); });
  ASSERT_TRUE(stored.get_future().get().value());
  std::ofstream(gate) << "go";
  EXPECT_EQ(events->wait().back(), "exited");
  EXPECT_FALSE(events->recorded_.ok()) << "the event must not claim a record it does not have";
  EXPECT_NE(events->recorded_.message().find("already recorded"), std::string::npos)
      << events->recorded_.message();
  EXPECT_EQ(store_->find_execution(1, "raced").value()->command, "elsewhere");
}

}  // namespace
}  // namespace gaia::exec
