#include "exec/detail/yaml_budget.h"

#include "core/saturating_add.h"

namespace gaia::exec::detail {

void YamlBudget::OnAlias(const YAML::Mark&, YAML::anchor_t anchor) {
  ++aliases_;
  uint64_t bytes = 1;
  if (anchor < anchored_.size()) {
    if (anchored_[anchor] == kStillOpen) {
      recursive_ = true;
    } else {
      bytes = anchored_[anchor];
    }
  }
  close(YAML::NullAnchor, bytes);
}

void YamlBudget::open(YAML::anchor_t anchor) {
  if (anchor != YAML::NullAnchor) {
    if (anchor >= anchored_.size()) anchored_.resize(anchor + 1, 0);
    anchored_[anchor] = kStillOpen;
  }
  open_.push_back({anchor, 1});
}

void YamlBudget::end() {
  if (open_.empty()) return;  // the parser pairs every end with a start
  const Open done = open_.back();
  open_.pop_back();
  close(done.anchor, done.bytes);
}

void YamlBudget::close(YAML::anchor_t anchor, uint64_t bytes) {
  if (anchor != YAML::NullAnchor) {
    if (anchor >= anchored_.size()) anchored_.resize(anchor + 1, 0);
    // Saturated sizes stay below kStillOpen, so a finished node never reads as open.
    anchored_[anchor] = bytes == kStillOpen ? kStillOpen - 1 : bytes;
  }
  uint64_t& total = open_.empty() ? expanded_ : open_.back().bytes;
  total = core::saturating_add(total, bytes);
  if (total == kStillOpen) total = kStillOpen - 1;
}

}  // namespace gaia::exec::detail
