#pragma once
// Reviewer: who decides a command that no confirmation pattern decided (the AI reviewer,
// reached over HTTP by api/reviewer_client.h). The Confirmer depends on this role only.
//
// Threads: ask() from any thread, blocking the caller; ask_async() never blocks, and `done`
// runs on the reviewer's own thread (or at once on the caller's when the reviewer is busy).

#include <functional>
#include <string>
#include <vector>

#include "confirm/pattern.h"
#include "core/status.h"

namespace gaia::confirm {

struct ReviewerQuestion {
  std::string command;
  std::string cwd;
  std::string type;
  std::string session_id;
  std::string tool;
  std::string user;
  std::vector<std::string> parts;  // the command parts the policy found
};

struct ReviewerAnswer {
  Verdict verdict = Verdict::kAsk;
  std::string reason;
};

class Reviewer {
 public:
  virtual ~Reviewer() = default;

  // The reviewer's verdict. kUnavailable when busy, unreachable or past its deadline;
  // kInvalidArgument when its answer cannot be read.
  virtual core::Result<ReviewerAnswer> ask(const ReviewerQuestion& question) = 0;

  // ask() without blocking the caller.
  virtual void ask_async(ReviewerQuestion question,
                         std::function<void(core::Result<ReviewerAnswer>)> done) = 0;
};

}  // namespace gaia::confirm
