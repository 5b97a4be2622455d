// The report's CSV, read back by a strict RFC 4180 reader written here: quoting of commas,
// quotes and line breaks; CRLF record ends; numbers as plain integers.

#include "api/admin/analytics_csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gaia::api::admin {
namespace {

// Records of `text` per RFC 4180 (2.1-2.7); fails the test on anything else.
std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) {
          ADD_FAILURE() << "unterminated quoted field";
          return records;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\r') {
        EXPECT_NE(text[i], '"') << "a quote inside an unquoted field";
        EXPECT_NE(text[i], '\n') << "a bare LF";
        field += text[i++];
      }
    }
    record.push_back(std::move(field));
    field.clear();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    EXPECT_EQ(text.substr(i, 2), "\r\n") << "records end in CRLF";
    i += 2;
    records.push_back(std::move(record));
    record.clear();
  }
  return records;
}

TEST(AnalyticsCsvTest, FieldsNeedingQuotesReadBackExactly) {
  std::string out;
  append_csv_header(out, {"t_ms", "user", "count"});
  append_csv_record(out, {int64_t{1767571200000}, std::string("plain"), int64_t{3}});
  append_csv_record(out, {int64_t{0}, std::string("a,b \"quoted\"\r\nnext line"), int64_t{-1}});
  append_csv_record(out, {int64_t{5}, std::string(""), int64_t{0}});
  const auto records = read_csv(out);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"t_ms", "user", "count"}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"1767571200000", "plain", "3"}));
  EXPECT_EQ(records[2], (std::vector<std::string>{"0", "a,b \"quoted\"\r\nnext line", "-1"}));
  EXPECT_EQ(records[3], (std::vector<std::string>{"5", "", "0"}));
  EXPECT_NE(out.find("\"a,b \"\"quoted\"\""), std::string::npos) << out;
}

TEST(AnalyticsCsvTest, TextAFormulaCouldStartWithGetsASingleQuoteInFront) {
  std::string out;
  append_csv_record(out, {std::string("=HYPERLINK(\"http://x\")"), std::string("+1"),
                          std::string("-2+3"), std::string("@SUM(A1)"), std::string("\tx"),
                          std::string("\rx"), std::string("a=b"), int64_t{-7}});
  const auto records = read_csv(out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"'=HYPERLINK(\"http://x\")", "'+1", "'-2+3",
                                                  "'@SUM(A1)", "'\tx", "'\rx", "a=b", "-7"}));
}

}  // namespace
}  // namespace gaia::api::admin
