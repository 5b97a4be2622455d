#pragma once
// One output stream of a run: keeps the first `cap` bytes, counts all of them, and hands the
// kept bytes to the sink as they arrive. Owned and used by the run's thread only.

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "exec/runner.h"

namespace gaia::exec::detail {

class OutputCapture {
 public:
  // `out` and `sink` (may be null) must outlive this.
  OutputCapture(OutputStream stream, int64_t cap, CapturedOutput* out, OutputSink* sink)
      : stream_(stream), cap_(cap), out_(out), sink_(sink) {}

  // Past the cap the bytes are counted and dropped, so the child never blocks on a full pipe.
  void add(std::string_view bytes) {
    out_->total_bytes += static_cast<int64_t>(bytes.size());
    const int64_t room = std::max<int64_t>(0, cap_ - static_cast<int64_t>(out_->bytes.size()));
    const size_t keep = std::min(bytes.size(), static_cast<size_t>(room));
    if (keep > 0) {
      out_->bytes.append(bytes.data(), keep);
      if (sink_ != nullptr) sink_->on_output(stream_, bytes.substr(0, keep));
    }
    if (keep < bytes.size()) out_->truncated = true;
  }

 private:
  const OutputStream stream_;
  const int64_t cap_;
  CapturedOutput* const out_;
  OutputSink* const sink_;
};

}  // namespace gaia::exec::detail
