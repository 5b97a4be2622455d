#include "app/log_lines.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <utility>
#include <vector>

#include "core/log_escape.h"

namespace gaia::app {

LogLines::LogLines(std::ostream& sink) : std::ostream(nullptr), buffer_(sink) { rdbuf(&buffer_); }

std::string& LogLines::Buffer::pending() {
  // Few streams live in a process (the server's out and err): a short list per thread.
  thread_local std::vector<std::pair<const Buffer*, std::string>> lines;
  for (auto& [buffer, line] : lines) {
    if (buffer == this) return line;
  }
  return lines.emplace_back(this, std::string()).second;
}

LogLines::int_type LogLines::Buffer::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) pending() += traits_type::to_char_type(c);
  return traits_type::not_eof(c);
}

std::streamsize LogLines::Buffer::xsputn(const char* s, std::streamsize n) {
  pending().append(s, static_cast<size_t>(n));
  return n;
}

int LogLines::Buffer::sync() {
  std::string& line = pending();
  if (line.empty()) return 0;
  // The one newline that ends the line is the writer's; any other is the value's.
  const bool ended = line.back() == '\n';
  if (ended) line.pop_back();
  std::string out;
  core::append_log_escaped(out, line);
  if (ended) out += '\n';
  line.clear();
  core::MutexLock lock(mu_);
  sink_ << out;
  sink_.flush();
  return sink_ ? 0 : -1;
}

namespace {

// spdlog's usual pattern around an escaped message.
class EscapingFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string text;
    core::append_log_escaped(text, std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg escaped = msg;
    escaped.payload = text;
    pattern_.format(escaped, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EscapingFormatter>();
  }

 private:
  spdlog::pattern_formatter pattern_;
};

}  // namespace

void escape_spdlog_messages() { spdlog::set_formatter(std::make_unique<EscapingFormatter>()); }

}  // namespace gaia::app
