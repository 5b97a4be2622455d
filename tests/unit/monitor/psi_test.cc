#include "monitor/psi.h"

#include <gtest/gtest.h>

#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

TEST(PsiTest, ParsesSomeAndFullLines) {
  auto p = parse_pressure(
      "some avg10=1.53 avg60=0.87 avg300=0.31 total=21746152\n"
      "full avg10=0.00 avg60=0.13 avg300=0.05 total=1198432\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(p->some.avg10, 1.53);
  EXPECT_DOUBLE_EQ(p->some.avg60, 0.87);
  EXPECT_DOUBLE_EQ(p->some.avg300, 0.31);
  EXPECT_EQ(p->some.total_us, 21746152u);
  ASSERT_TRUE(p->full.has_value());
  EXPECT_DOUBLE_EQ(p->full->avg60, 0.13);
  EXPECT_EQ(p->full->total_us, 1198432u);
}

TEST(PsiTest, CpuOnOlderKernelsHasNoFullLine) {
  auto p = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->full.has_value());
}

TEST(PsiTest, RejectsMalformedText) {
  EXPECT_FALSE(parse_pressure("").ok());
  EXPECT_FALSE(parse_pressure("some avg10=x avg60=0 avg300=0 total=0\n").ok());
  EXPECT_FALSE(parse_pressure("some avg60=0 avg300=0\n").ok());
}

TEST(PsiTest, MissingFilesMeanNoPsiNotZero) {
  testing::FakeProc proc;
  proc.write("proc/pressure/memory",
             "some avg10=12.50 avg60=4.00 avg300=1.00 total=99\n"
             "full avg10=2.00 avg60=1.00 avg300=0.50 total=9\n");
  Psi psi = read_psi(proc.root());
  EXPECT_FALSE(psi.cpu.has_value());
  EXPECT_FALSE(psi.io.has_value());
  ASSERT_TRUE(psi.memory.has_value());
  EXPECT_DOUBLE_EQ(psi.memory->some.avg10, 12.5);
  EXPECT_TRUE(psi.any());
}

TEST(PsiTest, NoPressureDirectoryAtAll) {
  testing::FakeProc proc;
  EXPECT_FALSE(read_psi(proc.root()).any());
}

}  // namespace
}  // namespace gaia::monitor
