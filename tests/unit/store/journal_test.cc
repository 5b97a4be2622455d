#include "store/journal/journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "store/journal/record.h"
#include "support/temp_dir.h"

namespace gaia::store::journal {
namespace {

Execution execution(std::string id) {
  Execution e;
  e.id = std::move(id);
  e.user_id = 7;
  e.key_id = 8;
  e.type = "shell";
  e.command = "printf '\"quoted\" \\\\ back'";
  e.started_at_ms = -5;
  e.duration_ms = 12;
  e.signal = 9;
  return e;
}

WriteBatch batch_of(std::string id) {
  WriteBatch b;
  b.executions.push_back(execution(std::move(id)));
  b.usage.push_back({7, 8, "shell", 86'400'000, 3});
  b.violations.push_back({7, 8, "code", "calendar:day:300", "make", 42});
  return b;
}

// Sets or clears the immutable attribute: not even root may then create files in `dir`.
bool set_immutable(const std::filesystem::path& dir, bool on) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
  ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  ::close(fd);
  return ok;
}

TEST(JournalTest, AppendedWritesAreInTheFileWhenAppendReturns) {
  testing::TempDir dir;
  auto journal = Journal::open(dir.path() / "journal");
  ASSERT_TRUE(journal.ok()) << journal.status().message();
  ASSERT_TRUE(journal.value()->append(batch_of("a")).ok());
  EXPECT_EQ(journal.value()->records(), 3u);
  journal.value()->seal();
  auto sealed = journal.value()->sealed();
  ASSERT_EQ(sealed.size(), 1u);

  // Read back from the file, as a restarted server would.
  auto segment = Journal::read(sealed[0]);
  ASSERT_TRUE(segment.ok());
  ASSERT_EQ(segment->records.size(), 3u);
  EXPECT_NE(segment->id, 0u);
  EXPECT_EQ(segment->torn_bytes, 0u);
  EXPECT_EQ(segment->records[0].seq, 1u);
  EXPECT_EQ(segment->records[2].seq, 3u);
  const auto& e = std::get<Execution>(segment->records[0].write);
  EXPECT_EQ(e.id, "a");
  EXPECT_EQ(e.command, execution("a").command);
  EXPECT_EQ(e.started_at_ms, -5);
  EXPECT_EQ(e.signal, 9);
  EXPECT_FALSE(e.exit_code.has_value());
  EXPECT_EQ(std::get<Usage>(segment->records[1].write).used, 3u);
  EXPECT_EQ(std::get<Violation>(segment->records[2].write).limit, "calendar:day:300");
}

TEST(JournalRecordTest, AViolationEpisodeKeepsItsCountAndSpan) {
  Violation episode{1, 2, "shell", "rate:1s:5", "make", 9'900};
  episode.count = 1234;
  episode.span_ms = 850;
  std::string framed;
  encode({7, episode}, framed);
  Record back;
  size_t size = 0;
  ASSERT_TRUE(decode(framed, back, size));
  EXPECT_EQ(size, framed.size());
  const auto& v = std::get<Violation>(back.write);
  EXPECT_EQ(v.count, 1234u);
  EXPECT_EQ(v.first_ms(), 9'050);
  EXPECT_EQ(v.at_ms, 9'900);
  EXPECT_EQ(v.command, "make");
}

// A journal written before episodes holds kind 3, one refusal: it is still read, as count 1.
TEST(JournalRecordTest, ARefusalFromAnOlderJournalReadsAsAnEpisodeOfOne) {
  std::string payload;
  const auto put = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) payload.push_back(static_cast<char>(v >> (8 * i)));
  };
  const auto put_str = [&](const std::string& s) {
    put(s.size(), 4);
    payload += s;
  };
  put(3, 8);  // seq
  put(3, 1);  // kind: one violation
  put(1, 8);
  put(2, 8);
  put_str("shell");
  put_str("calendar:day:500");
  put_str("ls");
  put(4'200, 8);
  std::string framed;
  const auto put_framed = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) framed.push_back(static_cast<char>(v >> (8 * i)));
  };
  put_framed(static_cast<uint32_t>(payload.size()));
  put_framed(crc32c(payload));
  framed += payload;
  Record back;
  size_t size = 0;
  ASSERT_TRUE(decode(framed, back, size));
  const auto& v = std::get<Violation>(back.write);
  EXPECT_EQ(v.count, 1u);
  EXPECT_EQ(v.span_ms, 0);
  EXPECT_EQ(v.at_ms, 4'200);
  EXPECT_EQ(v.limit, "calendar:day:500");
}

TEST(JournalTest, ConfirmationDecisionsRoundTrip) {
  testing::TempDir dir;
  auto journal = Journal::open(dir.path() / "journal");
  ASSERT_TRUE(journal.ok());
  WriteBatch batch;
  ConfirmDecision d;
  d.at_ms = 77;
  d.user = "ann";
  d.key_id = 4;
  d.command = "git push -f";
  d.cwd = "/src";
  d.session_id = "s";
  d.tool = "Bash";
  d.decision = "ask";
  d.source = "reviewer";
  d.reason = "force push";
  d.reviewer_latency_ms = 1500;
  batch.decisions.push_back(d);
  d.reviewer_latency_ms.reset();
  d.source = "pattern";
  d.pattern_id = "ask-force-push";
  batch.decisions.push_back(d);
  ASSERT_TRUE(journal.value()->append(batch).ok());
  journal.value()->seal();
  auto segment = Journal::read(journal.value()->sealed().at(0));
  ASSERT_TRUE(segment.ok());
  ASSERT_EQ(segment->records.size(), 2u);
  const auto& first = std::get<ConfirmDecision>(segment->records[0].write);
  EXPECT_EQ(first.command, "git push -f");
  EXPECT_EQ(first.reviewer_latency_ms, 1500);
  EXPECT_EQ(first.source, "reviewer");
  const auto& second = std::get<ConfirmDecision>(segment->records[1].write);
  EXPECT_FALSE(second.reviewer_latency_ms.has_value());
  EXPECT_EQ(second.pattern_id, "ask-force-push");
  EXPECT_EQ(second.at_ms, 77);
}

TEST(JournalTest, AReopenedJournalCountsWhatAnEarlierRunLeft) {
  testing::TempDir dir;
  {
    auto journal = Journal::open(dir.path());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE(journal.value()->append(batch_of("a")).ok());
    ASSERT_TRUE(journal.value()->append(batch_of("b")).ok());
  }  // a crash or a stop: the open segment stays on disk
  auto journal = Journal::open(dir.path());
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ(journal.value()->records(), 6u);
  EXPECT_GT(journal.value()->bytes(), 0u);
  ASSERT_EQ(journal.value()->sealed().size(), 1u);
  // New appends go to a new segment with its own id.
  ASSERT_TRUE(journal.value()->append(batch_of("c")).ok());
  journal.value()->seal();
  auto sealed = journal.value()->sealed();
  ASSERT_EQ(sealed.size(), 2u);
  EXPECT_NE(Journal::read(sealed[0])->id, Journal::read(sealed[1])->id);
  ASSERT_TRUE(journal.value()->remove(sealed[0]).ok());
  EXPECT_EQ(journal.value()->records(), 3u);
  EXPECT_FALSE(std::filesystem::exists(sealed[0]));
}

TEST(JournalTest, ATornTailRecordIsIgnored) {
  testing::TempDir dir;
  std::filesystem::path path;
  {
    auto journal = Journal::open(dir.path());
    ASSERT_TRUE(journal.value()->append(batch_of("a")).ok());
    ASSERT_TRUE(journal.value()->append(batch_of("b")).ok());
    journal.value()->seal();
    path = journal.value()->sealed().at(0);
  }
  // A crash in the middle of the last record's write.
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 5);
  auto segment = Journal::read(path);
  ASSERT_TRUE(segment.ok());
  EXPECT_EQ(segment->records.size(), 5u);
  EXPECT_GT(segment->torn_bytes, 0u);
  EXPECT_EQ(std::get<Execution>(segment->records[3].write).id, "b");
}

TEST(JournalTest, ACorruptRecordEndsTheReadablePart) {
  testing::TempDir dir;
  std::filesystem::path path;
  {
    auto journal = Journal::open(dir.path());
    ASSERT_TRUE(journal.value()->append(batch_of("a")).ok());
    journal.value()->seal();
    path = journal.value()->sealed().at(0);
  }
  // Flip one byte inside the first record's payload: its checksum no longer matches.
  int fd = ::open(path.c_str(), O_RDWR);
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, 30), 1);
  c ^= 0x5A;
  ASSERT_EQ(::pwrite(fd, &c, 1, 30), 1);
  ::close(fd);
  auto segment = Journal::read(path);
  ASSERT_TRUE(segment.ok());
  EXPECT_TRUE(segment->records.empty());
}

TEST(JournalTest, AReadOnlyDirectoryIsReported) {
  testing::TempDir dir;
  auto journal = Journal::open(dir.path());
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE(set_immutable(dir.path(), true)) << "the file system cannot make a directory "
                                                  "read-only";
  Status s = journal.value()->append(batch_of("a"));
  set_immutable(dir.path(), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), core::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(dir.path().string()), std::string::npos) << s.message();
  EXPECT_EQ(journal.value()->records(), 0u);
}

TEST(JournalTest, AFullDiskIsReportedAndTheSegmentStaysReadable) {
  testing::TempDir dir;
  auto journal = Journal::open(dir.path());
  ASSERT_TRUE(journal.value()->append(batch_of("a")).ok());
  // The process may write no further than the file's current end: the next append fails as
  // on a full disk (EFBIG instead of ENOSPC), partly written.
  rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = journal.value()->bytes() + 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = journal.value()->append(batch_of("b"));
  ::setrlimit(RLIMIT_FSIZE, &old);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(journal.value()->records(), 3u);

  // The failed batch was cut off: the next one follows the last good record.
  ASSERT_TRUE(journal.value()->append(batch_of("c")).ok());
  journal.value()->seal();
  auto segment = Journal::read(journal.value()->sealed().at(0));
  ASSERT_EQ(segment->records.size(), 6u);
  EXPECT_EQ(segment->torn_bytes, 0u);
  EXPECT_EQ(std::get<Execution>(segment->records[3].write).id, "c");
  EXPECT_EQ(segment->records[3].seq, 4u);
}

}  // namespace
}  // namespace gaia::store::journal
