#pragma once
// ReputationListener: tells the reputation book about the store events that move a user's
// score: a violation (a refused check, a command the executor refused with 429) and a clean
// execution (exit code 0) that Gaia ran itself (POST /api/v1/exec), after confirmation and
// limits. Executions reported by clients (POST /api/v1/executions) never raise a score: their
// figures are only the client's word, and a flood of them would buy reputation for nothing.
//
// Threads: any; each event takes the book's lock briefly, no I/O.

#include <functional>
#include <optional>
#include <string>

#include "reputation/reputation_book.h"
#include "store/event_feed.h"

namespace gaia::app {

class ReputationListener final : public store::StoreListener {
 public:
  // The name of user `id`, or nullopt when unknown.
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // `book` must outlive the listener.
  ReputationListener(reputation::ReputationBook& book, UserName user_name)
      : book_(book), user_name_(std::move(user_name)) {}

  void on_violation(const store::Violation& violation) override;
  void on_execution(const store::Execution& execution) override;

 private:
  void tell(uint64_t user_id, core::ReputationEvent event);

  reputation::ReputationBook& book_;
  const UserName user_name_;
};

}  // namespace gaia::app
