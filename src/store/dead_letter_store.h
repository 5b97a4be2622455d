#pragma once
// DeadLetterStore: the store's role for writes the database refused for what they hold (a
// byte its encoding rejects, a constraint): the write queue sets each such write aside here,
// one row alone, so it never blocks the writes queued with it (store/write_queue.h). Admins
// list them (GET /api/admin/dead-letters). Synchronous and durable when a call returns.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

struct DeadLetter {
  uint64_t id = 0;    // set by the store
  int64_t at_ms = 0;  // when it was set aside
  std::string kind;   // "execution", "usage", "violation" or "decision"
  std::string row;    // the write's fields as text, outside values escaped (core/log_escape.h)
  std::string error;  // the database's answer, escaped the same way
};

class DeadLetterStore {
 public:
  virtual ~DeadLetterStore() = default;

  virtual Status add_dead_letter(const DeadLetter& letter) = 0;
  // The newest `limit`, newest first.
  virtual Result<std::vector<DeadLetter>> list_dead_letters(size_t limit) = 0;
};

namespace detail {

// Passes every DeadLetterStore call to Base's forward_to<DeadLetterStore>() (see detail/roles.h).
template <class Base>
class ForwardDeadLetterStore : public Base {
 public:
  using Base::Base;
  Status add_dead_letter(const DeadLetter& letter) override { return to().add_dead_letter(letter); }
  Result<std::vector<DeadLetter>> list_dead_letters(size_t limit) override {
    return to().list_dead_letters(limit);
  }

 private:
  DeadLetterStore& to() { return this->template forward_to<DeadLetterStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
