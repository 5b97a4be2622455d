#pragma once
// ReviewerClient: asks an external reviewer about a command no confirmation pattern decided.
// It POSTs the command and its context as JSON to GAIA_CONFIRM_REVIEWER_URL (http:// or
// https://):
//   {"command":"make deploy","cwd":"/src","type":"shell","session_id":"s","tool":"Bash",
//    "user":"ann","parts":["make deploy"]}
// and reads {"decision":"approve|deny|ask","reason":"..."} from a 2xx answer. A redirect is
// never followed: the reviewer answers where it was configured, or not at all.
//
// Every call has a deadline (the whole exchange: connect, send, answer) and at most
// max_inflight calls run at once; one more is refused at once (kUnavailable "busy") rather
// than queued, so a slow reviewer never piles up work. The caller turns any failure into its
// configured fallback.
//
// Threads: ask() from any thread, blocking the caller up to the timeout; ask_async() runs the
// call on one of the client's own threads (max_inflight of them) and never blocks. The
// destructor waits for calls under way (each ends by its deadline).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "confirm/reviewer.h"
#include "core/status.h"
#include "http/client.h"

namespace gaia::api {

struct ReviewerOptions {
  std::string url = "";  // http[s]://host[:port][/path]
  std::chrono::milliseconds timeout{2000};
  size_t max_inflight = 16;
  std::string ca_file =
      "";  // CA certificates an https:// reviewer is checked against; "": system's
};

class ReviewerClient final : public confirm::Reviewer {
 public:
  // kInvalidArgument ("url: ...") unless the URL is http[s]://host[:port][/path], the timeout
  // positive and max_inflight at least 1.
  static core::Result<std::unique_ptr<ReviewerClient>> make(ReviewerOptions options);
  ~ReviewerClient();
  ReviewerClient(const ReviewerClient&) = delete;
  ReviewerClient& operator=(const ReviewerClient&) = delete;

  // The reviewer's answer. kUnavailable when busy, unreachable, past the deadline or
  // answering other than 2xx; kInvalidArgument when the answer is not the format above.
  core::Result<confirm::ReviewerAnswer> ask(const confirm::ReviewerQuestion& question) override;

  // ask() on the client's own threads; `done` runs there, or at once on this thread when
  // max_inflight calls are already under way.
  void ask_async(confirm::ReviewerQuestion question,
                 std::function<void(core::Result<confirm::ReviewerAnswer>)> done) override;

  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  const ReviewerOptions& options() const { return options_; }

 private:
  struct Pool;

  ReviewerClient(ReviewerOptions options, std::string url);
  bool acquire();
  void release();
  core::Result<confirm::ReviewerAnswer> call(const confirm::ReviewerQuestion& question) const;

  const ReviewerOptions options_;
  const std::string url_;  // options_.url, parsed and normalised
  const http::Client http_;
  std::atomic<size_t> in_flight_{0};
  std::unique_ptr<Pool> pool_;
};

// The JSON the reviewer is sent, and the reading of its answer body (exposed for tests).
std::string reviewer_request_body(const confirm::ReviewerQuestion& question);
core::Result<confirm::ReviewerAnswer> parse_reviewer_answer(std::string_view body);

}  // namespace gaia::api
