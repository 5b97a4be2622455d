#include "confirm/default_patterns.h"

#include <string>

namespace gaia::confirm {
namespace {

// Pieces of the regular expressions below. Texts are normalised (words joined by one
// space), so " " separates words and \S+ is one word.
const std::string kWords = R"((?: \S+)*)";  // any further words
const std::string kEnd = R"((?: |$))";      // end of a word
const std::string kShell = R"((?:ba|z|da|k|mk|a)?sh)";
const std::string kRecursive = R"((?:-[a-zA-Z]*[rR][a-zA-Z]*|--recursive))";
// /, //, /., /*, ~, ~/, ~/*, $HOME, ${HOME}, $HOME/* ...
const std::string kRootOrHome = R"((?:/+\.?/*|/+\*|~/?\*?|\$HOME/?\*?|\$\{HOME\}/?\*?))";
const std::string kBlockDevice = R"(/dev/(?:sd|nvme|hd|vd|xvd|mmcblk|disk|md|dm-|mapper/))";

// `^cmd ... a ... b ...` or `^cmd ... b ... a ...`, as whole words.
std::string both_orders(const std::string& cmd, const std::string& a, const std::string& b,
                        const std::string& last) {
  return "^" + cmd + kWords + " " + a + kWords + " " + b + kWords + " " + last + kEnd + "|^" + cmd +
         kWords + " " + b + kWords + " " + a + kWords + " " + last + kEnd;
}

PatternSpec regex(std::string id, std::string name, std::string pattern, Verdict decision,
                  int64_t priority, std::string reason) {
  return PatternSpec{.id = std::move(id),
                     .name = std::move(name),
                     .match = MatchKind::kRegex,
                     .pattern = std::move(pattern),
                     .decision = decision,
                     .priority = priority,
                     .scope = {},
                     .enabled = true,
                     .reason = std::move(reason)};
}

}  // namespace

std::vector<PatternSpec> default_patterns() {
  const int64_t deny = kDefaultDenyPriority;
  const int64_t ask = kDefaultAskPriority;
  const int64_t approve = kDefaultApprovePriority;
  std::vector<PatternSpec> p;

  // --- deny ---
  p.push_back(regex("default-deny-rm-root", "recursive delete of / or ~",
                    "^rm" + kWords + " " + kRecursive + kWords + " " + kRootOrHome + kEnd + "|^rm" +
                        kWords + " " + kRootOrHome + kWords + " " + kRecursive + kEnd,
                    Verdict::kDeny, deny, "deletes the whole file system or home directory"));
  p.push_back(regex("default-deny-mkfs", "make a file system", R"(^(?:mkfs\S*|mke2fs))" + kEnd,
                    Verdict::kDeny, deny, "formats a device"));
  p.push_back(regex("default-deny-dd-device", "dd onto a disk device",
                    "^dd" + kWords + " of=" + kBlockDevice, Verdict::kDeny, deny,
                    "overwrites a disk device"));
  p.push_back(regex("default-deny-write-device", "redirect onto a disk device",
                    R"(^[0-9]*(?:>|>>|>\||&>|&>>) )" + kBlockDevice, Verdict::kDeny, deny,
                    "overwrites a disk device"));
  p.push_back(regex("default-deny-fork-bomb", "fork bomb",
                    R"(^[^ ]+\(\) \{ ?[^ |&;]+ ?\| ?[^ |&;]+ ?& ?;? ?\}$)", Verdict::kDeny, deny,
                    "a function that pipes itself into itself in the background exhausts the "
                    "process table"));
  p.push_back(regex(
      "default-deny-pipe-download-to-shell", "download piped into a shell",
      R"((?:^|\| )(?:\S*/)?(?:curl|wget)(?: [^|]*)?(?: \| [^|]*)* \| (?:sudo(?: -\S+)* )?(?:\S*/)?)"
      "(?:" +
          kShell + R"(|python[0-9.]*|perl|ruby|node))" + kEnd,
      Verdict::kDeny, deny, "runs code downloaded from the network"));
  p.push_back(regex("default-deny-run-download", "shell running a download",
                    "^(?:" + kShell + R"((?: -\S+)* (?:<\(|\$\()|\$\()(?:\S*/)?(?:curl|wget) )",
                    Verdict::kDeny, deny, "runs code downloaded from the network"));
  p.push_back(regex("default-deny-chmod-777-root", "world-writable file system",
                    both_orders("chmod", R"((?:-[a-zA-Z]*R[a-zA-Z]*|--recursive))",
                                R"((?:0?777|a\+rwx|ugo\+rwx))", R"(/+\*?)"),
                    Verdict::kDeny, deny, "makes every file writable by everyone"));

  // --- ask ---
  p.push_back(regex(
      "default-ask-git-force-push", "git push --force",
      "^git" + kWords + " push" + kWords +
          R"( (?:-f|--force|--force-with-lease(?:=\S*)?|--force-if-includes|-[a-zA-Z]*f[a-zA-Z]*|\+\S+))" +
          kEnd,
      Verdict::kAsk, ask, "rewrites shared history"));
  p.push_back(regex("default-ask-privilege", "sudo, doas, su, pkexec",
                    "^(?:sudo|doas|su|pkexec)" + kEnd, Verdict::kAsk, ask,
                    "runs with another user's privileges"));
  p.push_back(regex(
      "default-ask-package-install", "package installation",
      R"(^(?:apt|apt-get|aptitude|yum|dnf|zypper|brew|snap)(?: -\S+)* (?:install|reinstall|remove|purge|upgrade|dist-upgrade|full-upgrade)(?: |$))"
      R"(|^apk(?: -\S+)* (?:add|del)(?: |$)|^pacman(?: \S+)* -[SRU]\S*(?: |$))"
      R"(|^(?:pip[0-9.]*|python[0-9.]* -m pip|uv pip|pipx|gem|cargo|go) install(?: |$))"
      R"(|^(?:npm|pnpm|yarn)(?: \S+)* (?:-g|--global|global)(?: |$))",
      Verdict::kAsk, ask, "installs or removes software"));
  p.push_back(regex("default-ask-pipe-to-shell", "output piped into a shell",
                    R"(\| (?:sudo(?: -\S+)* )?(?:\S*/)?(?:)" + kShell + ")" + kEnd, Verdict::kAsk,
                    ask, "runs generated commands"));
  p.push_back(regex("default-ask-find-action", "find that deletes or runs commands",
                    "^find" + kWords +
                        R"( (?:-delete|-exec|-execdir|-ok|-okdir|-fprint|-fprint0|-fprintf|-fls))" +
                        kEnd,
                    Verdict::kAsk, ask + 100, "find with -delete or -exec changes files"));
  p.push_back(regex("default-ask-write-file", "output redirected into a file",
                    R"(^[0-9]*(?:>|>>|>\||&>|&>>|<>) )", Verdict::kAsk, ask, "writes a file"));
  // --- approve ---
  p.push_back(regex(
      "default-approve-read-only", "read-only commands",
      R"(^(?:ls|cat|head|tail|wc|grep|egrep|fgrep|rg|pwd|echo|cd|true|false|stat|du|df|which|whoami|date|uname|basename|dirname|realpath|test|\[))" +
          kEnd,
      Verdict::kApprove, approve, "reads only"));
  p.push_back(regex("default-approve-find", "find without actions", "^find" + kEnd,
                    Verdict::kApprove, approve, "reads only"));
  p.push_back(regex("default-approve-git-read", "git status, diff, log, show",
                    R"(^git(?: -C \S+)? (?:status|diff|log|show))" + kEnd, Verdict::kApprove,
                    approve, "reads only"));
  p.push_back(regex("default-approve-discard-output", "output redirected to /dev/null",
                    R"(^[0-9]*(?:>|>>|>\||&>|&>>) /dev/(?:null|stdout|stderr)$)", Verdict::kApprove,
                    ask + 50, "discards output"));
  return p;
}

}  // namespace gaia::confirm
