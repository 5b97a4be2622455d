#include "support/streaming_call.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace gaia::testing {

StreamingCall::StreamingCall(uint16_t port, std::string_view path, std::string_view key,
                             std::string_view body) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  const std::string request = "POST " + std::string(path) +
                              " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + std::string(key) +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                              std::string(body);
  sent_ = write(fd_, request.data(), request.size()) == static_cast<ssize_t>(request.size());
}

void StreamingCall::hang_up() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool StreamingCall::wait_for(std::string_view text, std::chrono::milliseconds within) {
  const auto end = std::chrono::steady_clock::now() + within;
  while (received_.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (fd_ < 0 || left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return received_.find(text) != std::string::npos;
    received_.append(buf, static_cast<size_t>(n));
  }
  return true;
}

int StreamingCall::status(std::chrono::milliseconds within) {
  // "HTTP/1.1 200 OK\r\n": the code is the three digits after the first space.
  if (!wait_for("\r\n", within)) return 0;
  const size_t space = received_.find(' ');
  if (space == std::string::npos || received_.size() < space + 4) return 0;
  return std::stoi(received_.substr(space + 1, 3));
}

}  // namespace gaia::testing
