#include "confirm/shell_split.h"

#include <cctype>
#include <string>
#include <utility>

#include "confirm/detail/wrappers.h"
#include "core/text.h"

namespace gaia::confirm {
namespace {

using core::Result;
using core::Status;

#define GAIA_RETURN_IF_ERROR(expr)     \
  do {                                 \
    Status status_ = (expr);           \
    if (!status_.ok()) return status_; \
  } while (0)

// Collects parts and enforces the output limits.
class Sink {
 public:
  explicit Sink(const SplitLimits& limits) : limits_(limits) {}

  // Index of the added part, or -1 with the status set.
  Status add(CommandPart part, size_t* index = nullptr) {
    bytes_ += part.text.size();
    if (parts_.size() >= limits_.max_parts) {
      return Status::invalid_argument("more than " + std::to_string(limits_.max_parts) +
                                      " command parts");
    }
    if (bytes_ > limits_.max_output_bytes) {
      return Status::invalid_argument("command expands to more than " +
                                      std::to_string(limits_.max_output_bytes) + " bytes");
    }
    if (index != nullptr) *index = parts_.size();
    parts_.push_back(std::move(part));
    return Status();
  }
  const SplitLimits& limits() const { return limits_; }
  std::vector<CommandPart>& parts() { return parts_; }

 private:
  const SplitLimits& limits_;
  std::vector<CommandPart> parts_;
  size_t bytes_ = 0;
};

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ' ';
    out += words[i];
  }
  return out;
}

// Runs of blanks and newlines become one space; ends trimmed.
std::string collapse_blanks(std::string_view s) {
  std::string out;
  bool blank = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      blank = true;
      continue;
    }
    if (blank && !out.empty()) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Characters that end an unquoted word.
bool is_meta(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')' ||
         c == '<' || c == '>';
}

bool is_system_dir(std::string_view dir) {
  return dir == "/bin" || dir == "/usr/bin" || dir == "/usr/local/bin" || dir == "/sbin" ||
         dir == "/usr/sbin" || dir == "/usr/local/sbin";
}

struct Word {
  std::string value;  // unquoted
  size_t begin = 0;   // source offsets
  size_t end = 0;
  bool quoted = false;  // some part was quoted or escaped
};

// A here-document waiting for the next newline.
struct PendingHeredoc {
  std::string delimiter;
  bool quoted = false;       // <<'EOF': the body is not expanded
  bool strip_tabs = false;   // <<-
  bool feeds_shell = false;  // the command is a shell reading its script from stdin
};

// Keywords that may end a list.
enum Stop : unsigned {
  kStopNone = 0,
  kStopParen = 1u << 0,  // )
  kStopBrace = 1u << 1,  // }
  kStopThen = 1u << 2,
  kStopElse = 1u << 3,  // elif, else
  kStopFi = 1u << 4,
  kStopDo = 1u << 5,
  kStopDone = 1u << 6,
  kStopEsac = 1u << 7,
  kStopCaseItem = 1u << 8,  // ;; ;& ;;&
};

class Parser {
 public:
  // `base` is the offset of src in the text the user gave, for messages.
  Parser(std::string_view src, size_t base, int depth, Sink& sink)
      : src_(src), base_(base), depth_(depth), sink_(sink) {}

  Status parse_script() {
    GAIA_RETURN_IF_ERROR(check_depth());
    GAIA_RETURN_IF_ERROR(parse_list(kStopNone));
    if (pos_ < src_.size()) return error("unexpected '" + std::string(1, src_[pos_]) + "'");
    return Status();
  }

  // Only the expansions of an unquoted here-document body or arithmetic text.
  Status scan_expansions() {
    GAIA_RETURN_IF_ERROR(check_depth());
    Word sink_word;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\\') {
        pos_ += 2;
      } else if (c == '$') {
        GAIA_RETURN_IF_ERROR(parse_dollar(sink_word, /*in_dquote=*/true));
      } else if (c == '`') {
        GAIA_RETURN_IF_ERROR(parse_backtick(sink_word));
      } else {
        ++pos_;
      }
    }
    return Status();
  }

 private:
  Status error(const std::string& what) const {
    return Status::invalid_argument(what + " at offset " + std::to_string(base_ + pos_));
  }
  Status error_at(const std::string& what, size_t at) const {
    return Status::invalid_argument(what + " at offset " + std::to_string(base_ + at));
  }
  Status check_depth() const {
    if (depth_ > sink_.limits().max_depth) {
      return error("nesting deeper than " + std::to_string(sink_.limits().max_depth));
    }
    return Status();
  }
  Status enter() {
    ++depth_;
    return check_depth();
  }
  void leave() { --depth_; }

  bool at(std::string_view s) const {
    return pos_ <= src_.size() && src_.substr(pos_).starts_with(s);
  }
  bool at_end() const { return pos_ >= src_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  // The reserved word at pos_, if an unquoted word that is exactly one of ours starts there.
  std::string_view keyword() const {
    if (pos_ >= src_.size()) return {};
    size_t end = pos_;
    while (end < src_.size() && !is_meta(src_[end]) && src_[end] != '\'' && src_[end] != '"' &&
           src_[end] != '\\' && src_[end] != '$' && src_[end] != '`') {
      ++end;
    }
    if (end < src_.size() && (src_[end] == '\'' || src_[end] == '"' || src_[end] == '\\' ||
                              src_[end] == '$' || src_[end] == '`')) {
      return {};
    }
    std::string_view w = src_.substr(pos_, end - pos_);
    static constexpr std::string_view kWords[] = {
        "{",  "}",    "!",   "if",     "then", "elif", "else", "fi",       "while", "until",
        "do", "done", "for", "select", "case", "esac", "in",   "function", "[["};
    for (std::string_view k : kWords) {
      if (w == k) return k;
    }
    return {};
  }
  void consume(std::string_view s) { pos_ += s.size(); }

  bool stops(unsigned stop) const {
    std::string_view k = keyword();
    return ((stop & kStopBrace) && k == "}") || ((stop & kStopThen) && k == "then") ||
           ((stop & kStopElse) && (k == "elif" || k == "else")) ||
           ((stop & kStopFi) && k == "fi") || ((stop & kStopDo) && k == "do") ||
           ((stop & kStopDone) && k == "done") || ((stop & kStopEsac) && k == "esac");
  }

  // Blanks, comments, line continuations and (when `newlines`) newlines, reading any
  // here-document bodies a newline starts.
  Status skip_space(bool newlines) {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (is_blank(c)) {
        ++pos_;
      } else if (c == '\\' && peek(1) == '\n') {
        pos_ += 2;
      } else if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '\n' && newlines) {
        ++pos_;
        GAIA_RETURN_IF_ERROR(read_heredocs());
      } else {
        break;
      }
    }
    return Status();
  }

  Status parse_list(unsigned stop) {
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(/*newlines=*/true));
      if (at_end()) return Status();
      if (peek() == ')') {
        if (stop & kStopParen) return Status();
        return error("unbalanced ')'");
      }
      if (at(";;") || at(";&")) {
        if (stop & kStopCaseItem) return Status();
        return error("unexpected ';;'");
      }
      if (stops(stop)) return Status();
      GAIA_RETURN_IF_ERROR(parse_and_or());
      GAIA_RETURN_IF_ERROR(skip_space(/*newlines=*/false));
      if (at_end() || peek() == ')' || peek() == '\n' || at(";;") || at(";&")) continue;
      if (peek() == ';' || peek() == '&') {
        ++pos_;
        continue;
      }
      return error("unexpected '" + std::string(1, peek()) + "'");
    }
  }

  Status parse_and_or() {
    GAIA_RETURN_IF_ERROR(parse_pipeline());
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(false));
      if (!at("&&") && !at("||")) return Status();
      pos_ += 2;
      GAIA_RETURN_IF_ERROR(skip_space(true));
      GAIA_RETURN_IF_ERROR(parse_pipeline());
    }
  }

  Status parse_pipeline() {
    if (keyword() == "!") {
      ++pos_;
      GAIA_RETURN_IF_ERROR(skip_space(false));
    }
    std::vector<std::string> texts;
    while (true) {
      size_t first = sink_.parts().size();
      long rep = -1;
      bool stdin_shell = false;
      GAIA_RETURN_IF_ERROR(parse_command(&rep, &stdin_shell));
      if (rep < 0) rep = representative(first);
      if (rep >= 0) texts.push_back(sink_.parts()[static_cast<size_t>(rep)].text);
      GAIA_RETURN_IF_ERROR(skip_space(false));
      if (at("||") || !at("|")) break;
      pos_ += at("|&") ? 2 : 1;
      GAIA_RETURN_IF_ERROR(skip_space(true));
    }
    if (texts.size() > 1) {
      CommandPart p{.kind = PartKind::kPipeline, .argv = texts, .text = {}, .depth = depth_};
      for (size_t i = 0; i < texts.size(); ++i) p.text += (i ? " | " : "") + texts[i];
      GAIA_RETURN_IF_ERROR(sink_.add(std::move(p)));
    }
    return Status();
  }

  // The first command or wrapper part added since `first` (a compound command's stand-in in
  // a pipeline), or -1.
  long representative(size_t first) {
    for (size_t i = first; i < sink_.parts().size(); ++i) {
      PartKind k = sink_.parts()[i].kind;
      if (k == PartKind::kCommand || k == PartKind::kWrapper) return static_cast<long>(i);
    }
    return -1;
  }

  Status parse_command(long* rep, bool* stdin_shell) {
    GAIA_RETURN_IF_ERROR(skip_space(false));
    if (at_end()) return error("missing command");
    size_t start = pos_;
    if (at("((")) {
      GAIA_RETURN_IF_ERROR(parse_arithmetic_command());
      return parse_trailing_redirects();
    }
    if (peek() == '(') {
      ++pos_;
      GAIA_RETURN_IF_ERROR(enter());
      GAIA_RETURN_IF_ERROR(parse_list(kStopParen));
      if (peek() != ')') return error_at("unbalanced '('", start);
      ++pos_;
      leave();
      return parse_trailing_redirects();
    }
    std::string_view k = keyword();
    if (k.empty() || k == "in") return parse_simple(rep, stdin_shell);
    if (k == "[[") return parse_condition();
    if (k == "function") return parse_function_keyword();
    if (k == "{" || k == "if" || k == "while" || k == "until" || k == "for" || k == "select" ||
        k == "case") {
      GAIA_RETURN_IF_ERROR(parse_compound());
      return parse_trailing_redirects();
    }
    return error("unexpected '" + std::string(k) + "'");
  }

  Status expect_keyword(std::string_view k, size_t opened_at, std::string_view opener) {
    if (keyword() != k) {
      return error_at("'" + std::string(opener) + "' without '" + std::string(k) + "'", opened_at);
    }
    consume(k);
    return Status();
  }

  // { }, if, while, until, for, select, case. REQUIRES: keyword() is one of them.
  Status parse_compound() {
    size_t start = pos_;
    std::string_view k = keyword();
    consume(k);
    GAIA_RETURN_IF_ERROR(enter());
    if (k == "{") {
      GAIA_RETURN_IF_ERROR(parse_list(kStopBrace));
      GAIA_RETURN_IF_ERROR(expect_keyword("}", start, "{"));
    } else if (k == "if") {
      GAIA_RETURN_IF_ERROR(parse_list(kStopThen));
      GAIA_RETURN_IF_ERROR(expect_keyword("then", start, "if"));
      while (true) {
        GAIA_RETURN_IF_ERROR(parse_list(kStopElse | kStopFi));
        std::string_view next = keyword();
        if (next == "elif") {
          consume(next);
          GAIA_RETURN_IF_ERROR(parse_list(kStopThen));
          GAIA_RETURN_IF_ERROR(expect_keyword("then", start, "elif"));
        } else if (next == "else") {
          consume(next);
          GAIA_RETURN_IF_ERROR(parse_list(kStopFi));
          break;
        } else {
          break;
        }
      }
      GAIA_RETURN_IF_ERROR(expect_keyword("fi", start, "if"));
    } else if (k == "while" || k == "until") {
      GAIA_RETURN_IF_ERROR(parse_list(kStopDo));
      GAIA_RETURN_IF_ERROR(parse_do_done(start, k));
    } else if (k == "for" || k == "select") {
      GAIA_RETURN_IF_ERROR(parse_for(start, k));
    } else {
      GAIA_RETURN_IF_ERROR(parse_case(start));
    }
    leave();
    return Status();
  }

  Status parse_do_done(size_t start, std::string_view opener) {
    if (keyword() == "{") return parse_compound();  // bash: for x in a; { ...; }
    GAIA_RETURN_IF_ERROR(expect_keyword("do", start, opener));
    GAIA_RETURN_IF_ERROR(parse_list(kStopDone));
    return expect_keyword("done", start, opener);
  }

  Status parse_for(size_t start, std::string_view opener) {
    GAIA_RETURN_IF_ERROR(skip_space(false));
    if (at("((")) {
      GAIA_RETURN_IF_ERROR(parse_arithmetic_command());
    } else {
      Word name;
      GAIA_RETURN_IF_ERROR(read_word(name));
      if (name.value.empty()) return error_at("'for' without a name", start);
      GAIA_RETURN_IF_ERROR(skip_space(true));
      if (keyword() == "in") {
        consume("in");
        while (true) {
          GAIA_RETURN_IF_ERROR(skip_space(false));
          if (at_end() || peek() == ';' || peek() == '\n') break;
          if (is_meta(peek())) return error("unexpected '" + std::string(1, peek()) + "'");
          Word w;
          GAIA_RETURN_IF_ERROR(read_word(w));
        }
      }
    }
    GAIA_RETURN_IF_ERROR(skip_space(false));
    if (peek() == ';') ++pos_;
    GAIA_RETURN_IF_ERROR(skip_space(true));
    return parse_do_done(start, opener);
  }

  Status parse_case(size_t start) {
    GAIA_RETURN_IF_ERROR(skip_space(false));
    Word subject;
    GAIA_RETURN_IF_ERROR(read_word(subject));
    GAIA_RETURN_IF_ERROR(skip_space(true));
    GAIA_RETURN_IF_ERROR(expect_keyword("in", start, "case"));
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(true));
      if (keyword() == "esac") {
        consume("esac");
        return Status();
      }
      if (at_end()) return error_at("'case' without 'esac'", start);
      if (peek() == '(') ++pos_;
      while (true) {  // pattern ( | pattern )* )
        GAIA_RETURN_IF_ERROR(skip_space(false));
        if (at_end() || is_meta(peek())) return error("bad case pattern");
        Word pattern;
        GAIA_RETURN_IF_ERROR(read_word(pattern));
        GAIA_RETURN_IF_ERROR(skip_space(false));
        if (peek() == '|') {
          ++pos_;
          continue;
        }
        if (peek() != ')') return error("bad case pattern");
        ++pos_;
        break;
      }
      GAIA_RETURN_IF_ERROR(parse_list(kStopEsac | kStopCaseItem));
      if (at(";;&")) {
        pos_ += 3;
      } else if (at(";;") || at(";&")) {
        pos_ += 2;
      }
    }
  }

  // [[ ... ]]: words and operators up to ]]; substitutions inside are split.
  Status parse_condition() {
    size_t start = pos_;
    consume("[[");
    std::vector<std::string> words{"[["};
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(true));
      if (at_end()) return error_at("'[[' without ']]'", start);
      if (at("]]") && (pos_ + 2 == src_.size() || is_meta(src_[pos_ + 2]))) {
        pos_ += 2;
        break;
      }
      if (at("&&") || at("||")) {
        words.emplace_back(src_.substr(pos_, 2));
        pos_ += 2;
        continue;
      }
      char c = peek();
      if (c == '(' || c == ')' || c == '<' || c == '>' || c == '!' || c == '|' || c == '&' ||
          c == ';') {
        words.emplace_back(1, c);
        ++pos_;
        continue;
      }
      Word w;
      GAIA_RETURN_IF_ERROR(read_word(w));
      words.push_back(std::move(w.value));
    }
    words.emplace_back("]]");
    CommandPart p{
        .kind = PartKind::kCondition, .argv = words, .text = join(words), .depth = depth_};
    GAIA_RETURN_IF_ERROR(sink_.add(std::move(p)));
    return parse_trailing_redirects();
  }

  // (( ... )) as a command; `for ((;;))` too.
  Status parse_arithmetic_command() {
    size_t start = pos_;
    size_t end = 0;
    if (!find_arithmetic_end(pos_ + 2, &end)) return error_at("unterminated '(('", start);
    std::string_view body = src_.substr(start + 2, end - start - 4);
    Parser inner(body, base_ + start + 2, depth_ + 1, sink_);
    GAIA_RETURN_IF_ERROR(inner.scan_expansions());
    pos_ = end;
    std::string text = "(( " + collapse_blanks(body) + " ))";
    CommandPart p{.kind = PartKind::kCondition, .argv = {text}, .text = text, .depth = depth_};
    return sink_.add(std::move(p));
  }

  // From `from` (just after "((" or "$(("), the offset just past the matching "))", if the
  // text is arithmetic; false when it is not ("$( (a) )") or is unterminated.
  bool find_arithmetic_end(size_t from, size_t* end) const {
    int level = 0;
    for (size_t i = from; i < src_.size(); ++i) {
      char c = src_[i];
      if (c == '\\') {
        ++i;
      } else if (c == '\'' || c == '"') {
        size_t close = src_.find(c, i + 1);
        if (close == std::string_view::npos) return false;
        i = close;
      } else if (c == '(') {
        ++level;
      } else if (c == ')') {
        if (level > 0) {
          --level;
        } else {
          if (i + 1 < src_.size() && src_[i + 1] == ')') {
            *end = i + 2;
            return true;
          }
          return false;
        }
      }
    }
    return false;
  }

  // `function name [()] body`.
  Status parse_function_keyword() {
    consume("function");
    GAIA_RETURN_IF_ERROR(skip_space(false));
    Word name;
    GAIA_RETURN_IF_ERROR(read_word(name));
    GAIA_RETURN_IF_ERROR(skip_space(false));
    if (at("()")) pos_ += 2;
    return parse_function_body(name.value);
  }

  Status parse_function_body(const std::string& name) {
    GAIA_RETURN_IF_ERROR(skip_space(true));
    size_t body_start = pos_;
    if (at_end()) return error("function '" + name + "' without a body");
    long rep = -1;
    bool stdin_shell = false;
    GAIA_RETURN_IF_ERROR(enter());
    GAIA_RETURN_IF_ERROR(parse_command(&rep, &stdin_shell));
    leave();
    std::string text = name + "() " + collapse_blanks(src_.substr(body_start, pos_ - body_start));
    CommandPart p{
        .kind = PartKind::kFunction, .argv = {name + "()"}, .text = text, .depth = depth_};
    return sink_.add(std::move(p));
  }

  // Redirections after a compound command.
  Status parse_trailing_redirects() {
    std::vector<CommandPart> redirects;
    std::vector<std::string> here_strings;
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(false));
      if (!at_redirect()) break;
      GAIA_RETURN_IF_ERROR(parse_redirect(redirects, here_strings));
    }
    for (CommandPart& r : redirects) GAIA_RETURN_IF_ERROR(sink_.add(std::move(r)));
    return Status();
  }

  // [n]< [n]> >> &> &>> >| <> <& >& << <<- <<< and {var}>.
  bool at_redirect() const {
    size_t i = pos_;
    while (i < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i]))) ++i;
    if (i == pos_ && i < src_.size() && src_[i] == '{') {
      size_t close = src_.find('}', i);
      if (close != std::string_view::npos && close + 1 < src_.size() &&
          (src_[close + 1] == '<' || src_[close + 1] == '>')) {
        i = close + 1;
      }
    }
    if (i >= src_.size()) return false;
    if (i == pos_ && src_[i] == '&') return i + 1 < src_.size() && src_[i + 1] == '>';
    if (src_[i] != '<' && src_[i] != '>') return false;
    return !(i + 1 < src_.size() && src_[i + 1] == '(');  // <( is a process substitution
  }

  Status parse_redirect(std::vector<CommandPart>& redirects,
                        std::vector<std::string>& here_strings) {
    size_t op_start = pos_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
    if (peek() == '{') pos_ = src_.find('}', pos_) + 1;
    static constexpr std::string_view kOps[] = {"<<<", "<<-", "&>>", "<<", ">>", "&>",
                                                ">|",  "<>",  "<&",  ">&", "<",  ">"};
    std::string_view op;
    for (std::string_view o : kOps) {
      if (at(o)) {
        op = o;
        break;
      }
    }
    pos_ += op.size();
    std::string op_text(src_.substr(op_start, pos_ - op_start));
    GAIA_RETURN_IF_ERROR(skip_space(false));
    if (at_end() || is_meta(peek())) return error("missing target after '" + op_text + "'");
    Word target;
    GAIA_RETURN_IF_ERROR(read_word(target));
    if (op == "<<" || op == "<<-") {
      heredocs_.push_back({.delimiter = target.value,
                           .quoted = target.quoted,
                           .strip_tabs = op == "<<-",
                           .feeds_shell = false});
      return Status();
    }
    if (op == "<<<") {
      here_strings.push_back(target.value);
      return Status();
    }
    std::string text = op.ends_with('&') ? op_text + target.value : op_text + " " + target.value;
    redirects.push_back(CommandPart{.kind = PartKind::kRedirect,
                                    .argv = {op_text, target.value},
                                    .text = std::move(text),
                                    .depth = depth_});
    return Status();
  }

  Status parse_simple(long* rep, bool* stdin_shell) {
    std::vector<std::string> assignments;
    std::vector<std::string> words;
    std::vector<CommandPart> redirects;
    std::vector<std::string> here_strings;
    size_t heredocs_from = heredocs_.size();
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(false));
      if (at_end()) break;
      char c = peek();
      if (at_redirect()) {
        GAIA_RETURN_IF_ERROR(parse_redirect(redirects, here_strings));
        continue;
      }
      if (c == '(' && words.size() == 1 && assignments.empty()) {  // name () body
        size_t save = pos_;
        ++pos_;
        GAIA_RETURN_IF_ERROR(skip_space(false));
        if (peek() == ')') {
          ++pos_;
          return parse_function_body(words[0]);
        }
        pos_ = save;
        return error("unexpected '('");
      }
      if ((c == '<' || c == '>') && peek(1) == '(') {
        // process substitution: a word
      } else if (is_meta(c)) {
        break;
      }
      Word w;
      GAIA_RETURN_IF_ERROR(read_word(w));
      if (words.empty() && detail::is_assignment(w.value) &&
          detail::is_assignment(src_.substr(w.begin, w.end - w.begin))) {
        if (peek() == '(' && w.value.back() == '=') {  // NAME=(a b c)
          GAIA_RETURN_IF_ERROR(read_array(w.value));
        }
        assignments.push_back(std::move(w.value));
        continue;
      }
      words.push_back(std::move(w.value));
    }
    if (words.empty() && assignments.empty() && redirects.empty() && here_strings.empty() &&
        heredocs_from == heredocs_.size()) {
      return error("missing command");
    }
    for (std::string& a : assignments) {
      GAIA_RETURN_IF_ERROR(sink_.add(
          CommandPart{.kind = PartKind::kAssignment, .argv = {a}, .text = a, .depth = depth_}));
    }
    if (!words.empty()) {
      size_t index = 0;
      GAIA_RETURN_IF_ERROR(emit_command(std::move(words), depth_, &index, stdin_shell));
      *rep = static_cast<long>(index);
    }
    for (CommandPart& r : redirects) GAIA_RETURN_IF_ERROR(sink_.add(std::move(r)));
    for (size_t i = heredocs_from; i < heredocs_.size(); ++i) {
      heredocs_[i].feeds_shell = *stdin_shell;
    }
    if (*stdin_shell) {
      for (const std::string& s : here_strings) GAIA_RETURN_IF_ERROR(split_body(s, pos_));
    }
    return Status();
  }

  // NAME=( words ) after the '(' .
  Status read_array(std::string& value) {
    size_t start = pos_;
    ++pos_;
    value += '(';
    bool first = true;
    while (true) {
      GAIA_RETURN_IF_ERROR(skip_space(true));
      if (at_end()) return error_at("unbalanced '('", start);
      if (peek() == ')') {
        ++pos_;
        value += ')';
        return Status();
      }
      if (is_meta(peek())) return error("unexpected '" + std::string(1, peek()) + "'");
      Word w;
      GAIA_RETURN_IF_ERROR(read_word(w));
      if (!first) value += ' ';
      first = false;
      value += w.value;
    }
  }

  // Adds the part(s) of one simple command: aliases, wrappers and what they wrap, shell bodies.
  // `*index` is the outermost part added.
  Status emit_command(std::vector<std::string> argv, int depth, size_t* index, bool* stdin_shell) {
    if (depth > sink_.limits().max_depth) {
      return error("nesting deeper than " + std::to_string(sink_.limits().max_depth));
    }
    std::string_view argv0 = argv[0];
    std::string_view base = detail::basename_of(argv0);
    if (base.size() != argv0.size() && !base.empty()) {
      std::string_view dir = argv0.substr(0, argv0.size() - base.size() - 1);
      std::vector<std::string> short_argv = argv;
      short_argv[0] = std::string(base);
      if (!is_system_dir(dir)) {
        // Judged as written; the basename form lets denials of `rm` catch `./rm` too.
        GAIA_RETURN_IF_ERROR(sink_.add(
            CommandPart{
                .kind = PartKind::kCommand, .argv = argv, .text = join(argv), .depth = depth},
            index));
        return sink_.add(CommandPart{.kind = PartKind::kAlias,
                                     .argv = short_argv,
                                     .text = join(short_argv),
                                     .depth = depth});
      }
      GAIA_RETURN_IF_ERROR(sink_.add(
          CommandPart{.kind = PartKind::kAlias, .argv = argv, .text = join(argv), .depth = depth}));
      argv = std::move(short_argv);
    }
    detail::Unwrapped u = detail::unwrap(argv);
    switch (u.what) {
      case detail::Wrapped::kNone:
      case detail::Wrapped::kStdinShell:
        *stdin_shell = u.what == detail::Wrapped::kStdinShell;
        return sink_.add(
            CommandPart{
                .kind = PartKind::kCommand, .argv = argv, .text = join(argv), .depth = depth},
            index);
      case detail::Wrapped::kShellBody: {
        GAIA_RETURN_IF_ERROR(sink_.add(
            CommandPart{
                .kind = PartKind::kWrapper, .argv = argv, .text = join(argv), .depth = depth},
            index));
        return split_body(u.body, pos_);
      }
      case detail::Wrapped::kCommand: {
        GAIA_RETURN_IF_ERROR(sink_.add(
            CommandPart{
                .kind = PartKind::kWrapper, .argv = argv, .text = join(argv), .depth = depth},
            index));
        for (std::string& a : u.assignments) {
          GAIA_RETURN_IF_ERROR(sink_.add(CommandPart{
              .kind = PartKind::kAssignment, .argv = {a}, .text = a, .depth = depth + 1}));
        }
        std::vector<std::string> inner = std::move(u.implied);
        for (size_t i = u.inner; i < argv.size(); ++i) inner.push_back(std::move(argv[i]));
        size_t ignored = 0;
        return emit_command(std::move(inner), depth + 1, &ignored, stdin_shell);
      }
    }
    return Status();
  }

  // Splits `body` (a `bash -c` script, here-document, ...) one level deeper.
  Status split_body(const std::string& body, size_t at) {
    Parser inner(body, base_ + at, depth_ + 1, sink_);
    return inner.parse_script();
  }

  Status read_heredocs() {
    std::vector<PendingHeredoc> pending = std::move(heredocs_);
    heredocs_.clear();
    for (const PendingHeredoc& h : pending) {
      size_t body_start = pos_;
      size_t body_end = src_.size();
      while (pos_ < src_.size()) {
        size_t eol = src_.find('\n', pos_);
        size_t line_end = eol == std::string_view::npos ? src_.size() : eol;
        std::string_view line = src_.substr(pos_, line_end - pos_);
        if (h.strip_tabs) {
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        }
        if (line == h.delimiter) {
          body_end = pos_;
          pos_ = eol == std::string_view::npos ? src_.size() : eol + 1;
          break;
        }
        pos_ = eol == std::string_view::npos ? src_.size() : eol + 1;
      }
      std::string_view body = src_.substr(body_start, body_end - body_start);
      if (h.feeds_shell) {
        GAIA_RETURN_IF_ERROR(split_body(std::string(body), body_start));
      } else if (!h.quoted) {
        Parser inner(body, base_ + body_start, depth_ + 1, sink_);
        GAIA_RETURN_IF_ERROR(inner.scan_expansions());
      }
    }
    return Status();
  }

  // One word at pos_, which must not be a metacharacter (except <( >( ).
  Status read_word(Word& w) {
    w.begin = pos_;
    if ((peek() == '<' || peek() == '>') && peek(1) == '(') {
      GAIA_RETURN_IF_ERROR(parse_substitution(w, pos_ + 2, pos_));
    }
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (is_meta(c)) break;
      if (c == '\\') {
        w.quoted = true;
        if (peek(1) == '\n') {
          pos_ += 2;
        } else if (pos_ + 1 < src_.size()) {
          w.value += src_[pos_ + 1];
          pos_ += 2;
        } else {
          w.value += '\\';
          ++pos_;
        }
      } else if (c == '\'') {
        size_t close = src_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) return error("unterminated single quote");
        w.value += src_.substr(pos_ + 1, close - pos_ - 1);
        w.quoted = true;
        pos_ = close + 1;
      } else if (c == '"') {
        GAIA_RETURN_IF_ERROR(parse_double_quoted(w));
      } else if (c == '$') {
        GAIA_RETURN_IF_ERROR(parse_dollar(w, /*in_dquote=*/false));
      } else if (c == '`') {
        GAIA_RETURN_IF_ERROR(parse_backtick(w));
      } else {
        w.value += c;
        ++pos_;
      }
    }
    w.end = pos_;
    return Status();
  }

  // REQUIRES: peek() == '"'.
  Status parse_double_quoted(Word& w) {
    size_t start = pos_;
    ++pos_;
    w.quoted = true;
    while (true) {
      if (at_end()) return error_at("unterminated double quote", start);
      char c = src_[pos_];
      if (c == '"') {
        ++pos_;
        return Status();
      }
      if (c == '\\') {
        char n = peek(1);
        if (n == '\n') {
          pos_ += 2;
        } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
          w.value += n;
          pos_ += 2;
        } else {
          w.value += c;
          ++pos_;
        }
      } else if (c == '$') {
        GAIA_RETURN_IF_ERROR(parse_dollar(w, /*in_dquote=*/true));
      } else if (c == '`') {
        GAIA_RETURN_IF_ERROR(parse_backtick(w));
      } else {
        w.value += c;
        ++pos_;
      }
    }
  }

  // REQUIRES: peek() == '$'.
  Status parse_dollar(Word& w, bool in_dquote) {
    size_t start = pos_;
    if (!in_dquote && peek(1) == '\'') {  // $'...'
      size_t i = pos_ + 2;
      while (i < src_.size() && src_[i] != '\'') i += src_[i] == '\\' ? 2 : 1;
      if (i >= src_.size()) return error("unterminated $' quote");
      w.value += decode_ansi_c(src_.substr(pos_ + 2, i - pos_ - 2));
      w.quoted = true;
      pos_ = i + 1;
      return Status();
    }
    if (!in_dquote && peek(1) == '"') {  // $"..." (translated string)
      ++pos_;
      return parse_double_quoted(w);
    }
    if (peek(1) == '(' && peek(2) == '(') {
      size_t end = 0;
      if (find_arithmetic_end(pos_ + 3, &end)) {
        Parser inner(src_.substr(pos_ + 3, end - pos_ - 5), base_ + pos_ + 3, depth_ + 1, sink_);
        GAIA_RETURN_IF_ERROR(inner.scan_expansions());
        w.value += src_.substr(start, end - start);
        pos_ = end;
        return Status();
      }
    }
    if (peek(1) == '(') return parse_substitution(w, pos_ + 2, start);
    if (peek(1) == '{') return parse_parameter(w);
    w.value += '$';
    ++pos_;
    return Status();
  }

  // $( ... ), <( ... ), >( ... ): the list from `from` to the matching ')', split one level
  // deeper; the word keeps the source text.
  Status parse_substitution(Word& w, size_t from, size_t start) {
    pos_ = from;
    GAIA_RETURN_IF_ERROR(enter());
    GAIA_RETURN_IF_ERROR(parse_list(kStopParen));
    leave();
    if (peek() != ')') return error_at("unterminated '$('", start);
    ++pos_;
    w.value += src_.substr(start, pos_ - start);
    return Status();
  }

  // ${ ... }: kept as written; substitutions inside are split.
  Status parse_parameter(Word& w) {
    size_t start = pos_;
    pos_ += 2;
    GAIA_RETURN_IF_ERROR(enter());
    Word scratch;
    while (true) {
      if (at_end()) return error_at("unterminated '${'", start);
      char c = src_[pos_];
      if (c == '}') {
        ++pos_;
        break;
      }
      if (c == '\\') {
        pos_ += 2;
      } else if (c == '\'') {
        size_t close = src_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) return error("unterminated single quote");
        pos_ = close + 1;
      } else if (c == '"') {
        GAIA_RETURN_IF_ERROR(parse_double_quoted(scratch));
      } else if (c == '$') {
        GAIA_RETURN_IF_ERROR(parse_dollar(scratch, /*in_dquote=*/true));
      } else if (c == '`') {
        GAIA_RETURN_IF_ERROR(parse_backtick(scratch));
      } else {
        ++pos_;
      }
    }
    leave();
    pos_ = std::min(pos_, src_.size());
    w.value += src_.substr(start, pos_ - start);
    return Status();
  }

  // ` ... `: backslash-escapes of \ ` $ are removed and the text split one level deeper.
  Status parse_backtick(Word& w) {
    size_t start = pos_;
    std::string inner;
    size_t i = pos_ + 1;
    for (; i < src_.size() && src_[i] != '`'; ++i) {
      if (src_[i] == '\\' && i + 1 < src_.size()) {
        char n = src_[i + 1];
        if (n != '\\' && n != '`' && n != '$') inner += '\\';
        inner += n;
        ++i;
      } else {
        inner += src_[i];
      }
    }
    if (i >= src_.size()) return error("unterminated backquote");
    pos_ = i + 1;
    w.value += src_.substr(start, pos_ - start);
    Parser sub(inner, base_ + start + 1, depth_ + 1, sink_);
    return sub.parse_script();
  }

  std::string_view src_;
  size_t base_;
  size_t pos_ = 0;
  int depth_;
  Sink& sink_;
  std::vector<PendingHeredoc> heredocs_;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

#undef GAIA_RETURN_IF_ERROR

}  // namespace

std::string_view part_kind_name(PartKind kind) {
  switch (kind) {
    case PartKind::kCommand:
      return "command";
    case PartKind::kWrapper:
      return "wrapper";
    case PartKind::kPipeline:
      return "pipeline";
    case PartKind::kRedirect:
      return "redirect";
    case PartKind::kFunction:
      return "function";
    case PartKind::kAssignment:
      return "assignment";
    case PartKind::kAlias:
      return "alias";
    case PartKind::kCondition:
      return "condition";
  }
  return "command";
}

std::string decode_ansi_c(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'e':
      case 'E':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'c':
        if (i + 1 < s.size()) out += static_cast<char>(s[++i] & 0x1F);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t max = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t v = 0;
        size_t n = 0;
        while (n < max && i + 1 < s.size() && core::hex_value(s[i + 1]) >= 0) {
          v = v * 16 + static_cast<uint32_t>(core::hex_value(s[++i]));
          ++n;
        }
        if (n == 0) {
          out += '\\';
          out += c;
        } else if (c == 'x') {
          out += static_cast<char>(v);
        } else {
          append_utf8(out, v);
        }
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t v = static_cast<uint32_t>(c - '0');
          for (int n = 1; n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++n) {
            v = v * 8 + static_cast<uint32_t>(s[++i] - '0');
          }
          out += static_cast<char>(v & 0xFF);
        } else if (c == '\\' || c == '\'' || c == '"' || c == '?') {
          out += c;
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

Result<std::vector<CommandPart>> split_command(std::string_view command,
                                               const SplitLimits& limits) {
  if (command.size() > limits.max_input_bytes) {
    return Status::invalid_argument("command longer than " +
                                    std::to_string(limits.max_input_bytes) + " bytes");
  }
  Sink sink(limits);
  Parser parser(command, 0, 0, sink);
  Status s = parser.parse_script();
  if (!s.ok()) return s;
  return std::move(sink.parts());
}

}  // namespace gaia::confirm
