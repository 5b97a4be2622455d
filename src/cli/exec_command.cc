#include "cli/exec_command.h"

#include <sstream>

#include "cli/check_notices.h"
#include "cli/interrupt.h"

namespace gaia::cli {
namespace {

class PrintingListener final : public ExecListener {
 public:
  explicit PrintingListener(const Session& s) : s_(s) {}

  void on_output(OutputStream stream, std::string_view data) override {
    if (s_.json) return;
    // Flushed at once: output must appear live, whatever buffering the streams have.
    std::ostream& to = stream == OutputStream::kStdout ? s_.out : s_.err;
    to.write(data.data(), static_cast<std::streamsize>(data.size()));
    to.flush();
  }

  void on_queued(int64_t ahead, int64_t expected_wait_ms) override {
    // Said once: later events only bring the position down.
    if (s_.json || told_queued_) return;
    told_queued_ = true;
    s_.err << "gaia: queued at position " << ahead + 1;
    if (expected_wait_ms > 0) s_.err << ", about " << (expected_wait_ms + 999) / 1000 << " s";
    s_.err << std::endl;
  }

  void on_throttled(double factor, int64_t delay_ms) override {
    if (s_.json) return;
    std::ostringstream f;
    f << factor;
    s_.err << "gaia: the machine is under load (factor " << f.str() << "): the server waits "
           << delay_ms << " ms before running" << std::endl;
  }

  void on_warnings(const boost::json::object& event) override {
    if (!s_.json) print_warnings(event, s_.err);
  }

  void on_approval_wait(int64_t id, std::string_view message, int64_t) override {
    if (s_.json) return;
    s_.err << "gaia: waiting for an admin's approval (approval " << id << "): " << message
           << std::endl;
  }

  void on_body_line(std::string_view line) override {
    if (!s_.json) return;
    s_.out << line << '\n';
    s_.out.flush();
  }

 private:
  const Session& s_;
  bool told_queued_ = false;
};

}  // namespace

int exec(const Session& s, const ExecArgs& args) {
  PrintingListener listener(s);
  const ExecResult r = run_exec(s.client, s.key, args, listener);
  if (const int sig = Interrupt::signal(); sig != 0) {
    s.err << "gaia: interrupted; the command was cancelled" << std::endl;
    return kExitSignalBase + sig;
  }
  switch (r.end) {
    case ExecEnd::kExited:
    case ExecEnd::kSignalled:
      if (!s.json) {
        for (const std::string& note : r.notes) s.err << "gaia: " << note << '\n';
        s.err.flush();
      }
      break;
    case ExecEnd::kRefused:
    case ExecEnd::kNotStarted:
    case ExecEnd::kError:
      s.err << "gaia: " << r.message << std::endl;
      break;
  }
  return exec_exit_code(r);
}

}  // namespace gaia::cli
