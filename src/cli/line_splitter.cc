#include "cli/line_splitter.h"

namespace gaia::cli {

core::Status LineSplitter::feed(std::string_view bytes, const LineFn& on_line) {
  while (!bytes.empty()) {
    const size_t eol = bytes.find('\n');
    const size_t take = eol == std::string_view::npos ? bytes.size() : eol;
    if (partial_.size() + take > max_line_bytes_) {
      partial_.clear();
      return core::Status::internal("a line longer than " + std::to_string(max_line_bytes_) +
                                    " bytes");
    }
    if (eol == std::string_view::npos) {
      partial_.append(bytes);
      return {};
    }
    if (partial_.empty()) {
      on_line(bytes.substr(0, eol));  // the common case: no copy
    } else {
      partial_.append(bytes.substr(0, eol));
      // Moved out first, so on_line may feed this splitter again.
      const std::string line = std::move(partial_);
      partial_.clear();
      on_line(line);
    }
    bytes.remove_prefix(eol + 1);
  }
  return {};
}

void LineSplitter::finish(const LineFn& on_line) {
  if (partial_.empty()) return;
  const std::string line = std::move(partial_);
  partial_.clear();
  on_line(line);
}

}  // namespace gaia::cli
