#include "store/journal/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace gaia::store::journal {
namespace {

constexpr char kMagic[8] = {'G', 'A', 'I', 'A', 'J', 'N', 'L', '1'};
constexpr size_t kHeaderSize = 16;
constexpr const char* kSuffix = ".journal";

core::Status io_error(const std::string& doing, const std::filesystem::path& path, int err) {
  return core::Status::unavailable("journal: " + doing + " " + path.string() + ": " +
                                   std::strerror(err));
}

bool write_all(int fd, const char* data, size_t size, off_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return true;
}

// Makes a new directory entry durable.
void sync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

uint64_t file_number(const std::filesystem::path& path) {
  return std::strtoull(path.stem().c_str(), nullptr, 10);
}

}  // namespace

core::Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create directory", dir, ec.value());
  std::unique_ptr<Journal> journal(new Journal(dir));
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == kSuffix) found.push_back(entry.path());
  }
  if (ec) return io_error("cannot list", dir, ec.value());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return file_number(a) < file_number(b); });
  core::MutexLock lock(journal->mu_);  // no other thread has the journal yet
  for (const auto& path : found) {
    auto segment = read(path);
    if (!segment.ok()) return segment.status();
    journal->sealed_.push_back({path, segment->bytes, segment->records.size()});
    journal->sealed_bytes_ += segment->bytes;
    journal->sealed_records_ += segment->records.size();
    journal->next_file_ = std::max(journal->next_file_, file_number(path) + 1);
  }
  return journal;
}

Journal::~Journal() {
  core::MutexLock lock(mu_);
  close_segment();
}

core::Status Journal::start_segment() {
  char name[32];
  std::snprintf(name, sizeof name, "%010llu%s", static_cast<unsigned long long>(next_file_),
                kSuffix);
  std::filesystem::path path = dir_ / name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", path, errno);
  std::random_device rd;
  const uint64_t id = (uint64_t{rd()} << 32) ^ rd();
  char header[kHeaderSize];
  std::memcpy(header, kMagic, 8);
  for (int i = 0; i < 8; ++i) header[8 + i] = static_cast<char>(id >> (8 * i));
  if (!write_all(fd, header, sizeof header, 0) || ::fdatasync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return io_error("cannot write", path, err);
  }
  sync_dir(dir_);
  ++next_file_;
  fd_ = fd;
  open_path_ = std::move(path);
  open_size_ = kHeaderSize;
  open_records_ = 0;
  next_seq_ = 1;
  return {};
}

void Journal::close_segment() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (open_records_ == 0) {
    ::unlink(open_path_.c_str());  // nothing to replay
  } else {
    sealed_.push_back({open_path_, open_size_, open_records_});
    sealed_bytes_ += open_size_;
    sealed_records_ += open_records_;
  }
  open_size_ = 0;
  open_records_ = 0;
}

core::Status Journal::append(const WriteBatch& batch) {
  if (batch.empty()) return {};
  core::MutexLock lock(mu_);
  if (fd_ < 0) {
    if (core::Status s = start_segment(); !s.ok()) return s;
  }
  std::string data;
  uint64_t seq = next_seq_;
  for (const Execution& e : batch.executions) encode({seq++, e}, data);
  for (const Usage& u : batch.usage) encode({seq++, u}, data);
  for (const Violation& v : batch.violations) encode({seq++, v}, data);
  for (const ConfirmDecision& d : batch.decisions) encode({seq++, d}, data);
  if (!write_all(fd_, data.data(), data.size(), static_cast<off_t>(open_size_)) ||
      ::fdatasync(fd_) != 0) {
    core::Status error = io_error("cannot write", open_path_, errno);
    // Cut the partial batch off so later appends follow the last good record; if even that
    // fails, seal the segment: replay stops at the torn record, where the batch began.
    if (::ftruncate(fd_, static_cast<off_t>(open_size_)) != 0) close_segment();
    return error;
  }
  open_size_ += data.size();
  open_records_ += seq - next_seq_;
  next_seq_ = seq;
  return {};
}

void Journal::seal() {
  core::MutexLock lock(mu_);
  if (open_records_ > 0) close_segment();
}

std::vector<std::filesystem::path> Journal::sealed() const {
  core::MutexLock lock(mu_);
  std::vector<std::filesystem::path> paths;
  for (const Sealed& s : sealed_) paths.push_back(s.path);
  return paths;
}

core::Result<Segment> Journal::read(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("cannot read", path, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  Segment segment;
  segment.path = path;
  segment.bytes = data.size();
  if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, 8) != 0) {
    // A crash while the header was written: no record can follow.
    segment.torn_bytes = data.size();
    return segment;
  }
  for (int i = 0; i < 8; ++i) segment.id |= uint64_t{static_cast<uint8_t>(data[8 + i])} << (8 * i);
  std::string_view rest(data.data() + kHeaderSize, data.size() - kHeaderSize);
  Record record;
  size_t size = 0;
  while (decode(rest, record, size)) {
    segment.records.push_back(std::move(record));
    rest.remove_prefix(size);
  }
  segment.torn_bytes = rest.size();
  return segment;
}

core::Status Journal::remove(const std::filesystem::path& path) {
  core::MutexLock lock(mu_);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", path, errno);
  sync_dir(dir_);
  auto it =
      std::find_if(sealed_.begin(), sealed_.end(), [&](const Sealed& s) { return s.path == path; });
  if (it != sealed_.end()) {
    sealed_bytes_ -= it->bytes;
    sealed_records_ -= it->records;
    sealed_.erase(it);
  }
  return {};
}

uint64_t Journal::bytes() const {
  core::MutexLock lock(mu_);
  return sealed_bytes_ + open_size_;
}

uint64_t Journal::records() const {
  core::MutexLock lock(mu_);
  return sealed_records_ + open_records_;
}

}  // namespace gaia::store::journal
