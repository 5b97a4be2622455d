#pragma once
// StreamingCall: one POST to gaia_server on a connection of its own whose answer streams
// (POST /api/v1/exec: NDJSON events as they happen), read as it arrives; hanging up closes the
// connection, as a client that goes away does. Every wait is bounded. One thread at a time.
//
// Example:
//   StreamingCall run(port, "/api/v1/exec", key, R"({"type":"shell","argv":["sleep","30"]})");
//   ASSERT_TRUE(run.wait_for("\"started\"", 5s)) << run.received();
//   run.hang_up();  // the server cancels the command

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace gaia::testing {

class StreamingCall {
 public:
  // Connects to 127.0.0.1:`port` and sends the request with `key` as its bearer.
  StreamingCall(uint16_t port, std::string_view path, std::string_view key, std::string_view body);
  ~StreamingCall() { hang_up(); }
  StreamingCall(const StreamingCall&) = delete;
  StreamingCall& operator=(const StreamingCall&) = delete;

  // Whether the request went out whole.
  bool sent() const { return sent_; }
  void hang_up();
  // Reads until `text` has arrived or `within` passes; true if it arrived.
  bool wait_for(std::string_view text, std::chrono::milliseconds within);
  // The HTTP status of the answer, once its status line arrived within `within`; 0 if not.
  int status(std::chrono::milliseconds within);
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool sent_ = false;
  std::string received_;
};

}  // namespace gaia::testing
