#pragma once
// ExecutionStore: the store's role for finished commands. record_execution is a request-path
// write, queued and group-committed (its callback runs once the row is durable); the rest is
// synchronous. Thread-safe.
//
// An execution is known by its user and its id together: ids are chosen by clients, so each
// user has a namespace of their own and nobody can take another user's id.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// Who vouches for an execution's figures. Only Gaia's own runs may raise a reputation.
enum class ExecutionSource : uint8_t {
  kReported,  // POST /api/v1/executions: the client's word
  kRun,       // run by Gaia's executor after every check
};

struct Execution {
  std::string id;  // chosen by the client; recording is idempotent on (user_id, id)
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string command;
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  std::optional<int> exit_code;  // exactly one of exit_code and signal
  std::optional<int> signal;
  // Not stored: read by the event feed's listeners as the execution passes.
  ExecutionSource source = ExecutionSource::kReported;
};

// Called once an execution's row is durable: true when it was new, false when the user had
// already recorded one with that id (nothing was changed).
using RecordDone = std::function<void(Result<bool>)>;

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // Queued; `done` runs on the writer thread once the row is durable (or failed).
  virtual void record_execution(Execution execution, RecordDone done) = 0;
  // User `user_id`'s execution `id`, or nullopt.
  virtual Result<std::optional<Execution>> find_execution(uint64_t user_id,
                                                          std::string_view id) = 0;
  virtual Result<uint64_t> count_executions() = 0;
  // Retention: deletes executions started before `before_ms`; usage rows stay.
  virtual Result<uint64_t> delete_executions_before(int64_t before_ms) = 0;
  // Executions started in [from_ms, to_ms), oldest first, passed to `fn` one at a time; read
  // in pages so that other callers are not held up for the whole scan. `fn` must not call
  // the store. On failure the rows already passed stay passed.
  virtual Status scan_executions(int64_t from_ms, int64_t to_ms,
                                 const std::function<void(const Execution&)>& fn) = 0;
};

namespace detail {

// Passes every ExecutionStore call to Base's forward_to<ExecutionStore>() (see detail/roles.h).
template <class Base>
class ForwardExecutionStore : public Base {
 public:
  using Base::Base;
  void record_execution(Execution execution, RecordDone done) override {
    to().record_execution(std::move(execution), std::move(done));
  }
  Result<std::optional<Execution>> find_execution(uint64_t user_id, std::string_view id) override {
    return to().find_execution(user_id, id);
  }
  Result<uint64_t> count_executions() override { return to().count_executions(); }
  Result<uint64_t> delete_executions_before(int64_t before_ms) override {
    return to().delete_executions_before(before_ms);
  }
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override {
    return to().scan_executions(from_ms, to_ms, fn);
  }

 private:
  ExecutionStore& to() { return this->template forward_to<ExecutionStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
