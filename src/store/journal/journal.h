#pragma once
// The outage journal: writes the database could not take, made durable in local files until
// they are replayed into it. A directory of segment files named NNNNNNNNNN.journal; each
// starts with a header (magic "GAIAJNL1" and the segment's random 64-bit id) followed by
// records (see record.h) numbered from 1. Appends go to the open segment, one write() and
// one fdatasync() per batch (group commit). Replay works on sealed segments: seal() closes
// the open one, new appends start another. A replayed segment is removed.
//
// Threads: every method may be called from any thread; one lock serializes them.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "store/journal/record.h"
#include "store/store.h"

namespace gaia::store::journal {

struct Segment {
  std::filesystem::path path;
  uint64_t id = 0;
  std::vector<Record> records;  // the intact ones, in order
  uint64_t bytes = 0;           // file size
  uint64_t torn_bytes = 0;      // ignored after the last intact record
};

class Journal {
 public:
  // Opens `dir`, creating it, and counts what earlier runs left there (all sealed).
  // kUnavailable when the directory cannot be created or read.
  static core::Result<std::unique_ptr<Journal>> open(const std::filesystem::path& dir);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends every write of `batch` to the open segment (creating one if needed) and syncs
  // it: durable when OK. On failure (a full disk, a read-only directory) nothing of the
  // batch counts: the segment is cut back to before it, or sealed if even that fails.
  core::Status append(const WriteBatch& batch);

  // Seals the open segment if it has records; later appends go to a new one.
  void seal();
  // Paths of the sealed segments, oldest first.
  std::vector<std::filesystem::path> sealed() const;
  // Reads a segment: every intact record up to the first torn or corrupt one.
  static core::Result<Segment> read(const std::filesystem::path& path);
  // Removes a replayed sealed segment.
  core::Status remove(const std::filesystem::path& path);

  // Bytes and records in every segment not yet removed.
  uint64_t bytes() const;
  uint64_t records() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit Journal(std::filesystem::path dir) : dir_(std::move(dir)) {}
  core::Status start_segment() REQUIRES(mu_);  // REQUIRES: no open segment
  void close_segment() REQUIRES(mu_);

  const std::filesystem::path dir_;
  mutable core::Mutex mu_;
  uint64_t next_file_ GUARDED_BY(mu_) = 1;
  int fd_ GUARDED_BY(mu_) = -1;  // the open segment, or -1
  std::filesystem::path open_path_ GUARDED_BY(mu_);
  uint64_t open_size_ GUARDED_BY(mu_) = 0;  // bytes known good in the open segment
  uint64_t open_records_ GUARDED_BY(mu_) = 0;
  uint64_t next_seq_ GUARDED_BY(mu_) = 1;
  uint64_t sealed_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t sealed_records_ GUARDED_BY(mu_) = 0;
  struct Sealed {
    std::filesystem::path path;
    uint64_t bytes, records;
  };
  std::vector<Sealed> sealed_ GUARDED_BY(mu_);
};

}  // namespace gaia::store::journal
