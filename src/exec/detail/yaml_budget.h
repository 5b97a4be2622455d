#pragma once
// YamlBudget: what a YAML document would cost once read, measured from the parser's events
// before any node is built: how many aliases it uses and how many bytes its scalars take
// with every alias expanded (an alias weighs as much as the node it names, so aliases of
// aliases multiply). A workflow is refused on these figures before yaml-cpp builds its nodes
// and the reader copies them out, so no file can make the reader run out of memory.
//
// Threads: one object per document, one thread.

#include <yaml-cpp/eventhandler.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gaia::exec::detail {

class YamlBudget final : public YAML::EventHandler {
 public:
  uint64_t aliases() const { return aliases_; }
  // Bytes of every scalar, plus one per node, with aliases expanded; stops at UINT64_MAX.
  uint64_t expanded_bytes() const { return expanded_; }
  // An alias named a node that contains it (the document would be a cycle).
  bool recursive() const { return recursive_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { close(anchor, 1); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    close(anchor, value.size() + 1);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { end(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    uint64_t bytes;
  };
  static constexpr uint64_t kStillOpen = UINT64_MAX;

  void open(YAML::anchor_t anchor);
  void end();
  // A node of `bytes` ends: counted in its parent (or the document) and kept for `anchor`.
  void close(YAML::anchor_t anchor, uint64_t bytes);

  std::vector<Open> open_;
  std::vector<uint64_t> anchored_;  // by anchor id; kStillOpen while its node is open
  uint64_t aliases_ = 0;
  uint64_t expanded_ = 0;
  bool recursive_ = false;
};

}  // namespace gaia::exec::detail
