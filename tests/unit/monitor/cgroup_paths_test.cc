#include "monitor/cgroup_paths.h"

#include <gtest/gtest.h>

#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

namespace fs = std::filesystem;
using testing::FakeProc;

TEST(CgroupPathsTest, ParsesProcSelfCgroupLinesWhosePathHasColons) {
  auto lines = parse_proc_self_cgroup("0::/a:b/c\n4:memory:/user.slice\n3:cpu,cpuacct:/\n");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ(lines.value()[0].path, "/a:b/c");
  EXPECT_TRUE(lines.value()[0].controllers.empty());
  EXPECT_EQ(lines.value()[2].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_FALSE(parse_proc_self_cgroup("garbage\n").ok());
}

TEST(CgroupPathsTest, ParsesCgroupMountsAndDecodesEscapes) {
  auto mounts = parse_cgroup_mounts(
      "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "40 25 0:35 /docker/abc /sys/fs/my\\040cg rw,nosuid master:1 - cgroup cgroup rw,cpu,cpuacct\n"
      "41 25 0:36 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status().message();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_FALSE(mounts.value()[0].v2);
  EXPECT_EQ(mounts.value()[0].root, "/docker/abc");
  EXPECT_EQ(mounts.value()[0].mount_point, "/sys/fs/my cg");
  EXPECT_EQ(mounts.value()[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_TRUE(mounts.value()[1].v2);
  EXPECT_FALSE(parse_cgroup_mounts("1 2 3\n").ok());
}

TEST(CgroupPathsTest, DirectoryIsTheMountPointPlusThePathBelowTheMountRoot) {
  fs::path root = "/r";
  CgroupMount whole{false, "/", "/sys/fs/cgroup/memory", {"memory"}};
  EXPECT_EQ(cgroup_dir(root, whole, "/user.slice/a"), "/r/sys/fs/cgroup/memory/user.slice/a");
  CgroupMount sub{false, "/docker/abc", "/sys/fs/cgroup/memory", {"memory"}};
  EXPECT_EQ(cgroup_dir(root, sub, "/docker/abc/x"), "/r/sys/fs/cgroup/memory/x");
  EXPECT_EQ(cgroup_dir(root, sub, "/docker/abc"), "/r/sys/fs/cgroup/memory");
  // Not under the mount root (a cgroup namespace): the mount point itself.
  EXPECT_EQ(cgroup_dir(root, sub, "/docker/abcdef"), "/r/sys/fs/cgroup/memory");
  EXPECT_EQ(cgroup_dir(root, sub, "/"), "/r/sys/fs/cgroup/memory");
}

TEST(CgroupPathsTest, DetectsPureV2) {
  FakeProc proc;
  proc.cgroup_v2("/system.slice/gaia.service");
  auto paths = detect_cgroups(proc.root());
  ASSERT_TRUE(paths.ok()) << paths.status().message();
  EXPECT_EQ(paths->version, CgroupVersion::kV2);
  ASSERT_TRUE(paths->memory && paths->cpu);
  EXPECT_TRUE(paths->memory->v2);
  EXPECT_EQ(paths->memory->dir, proc.root() / "sys/fs/cgroup/system.slice/gaia.service");
  EXPECT_EQ(paths->cpu->mount, proc.root() / "sys/fs/cgroup");
}

TEST(CgroupPathsTest, DetectsV1WithCoMountedCpuAndCpuacct) {
  FakeProc proc;
  proc.cgroup_v1("/gaia");
  auto paths = detect_cgroups(proc.root());
  ASSERT_TRUE(paths.ok()) << paths.status().message();
  EXPECT_EQ(paths->version, CgroupVersion::kV1);
  ASSERT_TRUE(paths->memory && paths->cpu && paths->cpuacct);
  EXPECT_FALSE(paths->memory->v2);
  EXPECT_EQ(paths->memory->dir, proc.root() / "sys/fs/cgroup/memory/gaia");
  EXPECT_EQ(paths->cpu->dir, proc.root() / "sys/fs/cgroup/cpu,cpuacct/gaia");
  EXPECT_EQ(paths->cpuacct->dir, paths->cpu->dir);
  EXPECT_FALSE(paths->cpuset.has_value());  // not mounted
}

TEST(CgroupPathsTest, HybridTakesControllersFromV1) {
  FakeProc proc;
  proc.write("proc/self/cgroup", "4:memory:/m\n2:cpuacct:/\n1:cpu:/c\n0::/u\n");
  proc.write("proc/self/mountinfo",
             "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
             "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
             "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
             "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
             "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  auto paths = detect_cgroups(proc.root());
  ASSERT_TRUE(paths.ok()) << paths.status().message();
  EXPECT_EQ(paths->version, CgroupVersion::kHybrid);
  EXPECT_FALSE(paths->memory->v2);
  EXPECT_EQ(paths->memory->dir, proc.root() / "sys/fs/cgroup/memory/m");
  EXPECT_EQ(paths->cpu->dir, proc.root() / "sys/fs/cgroup/cpu/c");
  EXPECT_EQ(paths->cpuacct->dir, proc.root() / "sys/fs/cgroup/cpuacct");
  // cpuset is not mounted as v1, so it falls to the unified hierarchy.
  ASSERT_TRUE(paths->cpuset.has_value());
  EXPECT_TRUE(paths->cpuset->v2);
  EXPECT_EQ(paths->cpuset->dir, proc.root() / "sys/fs/cgroup/unified/u");
}

TEST(CgroupPathsTest, NoCgroupFileSystemMeansNone) {
  FakeProc proc;
  proc.write("proc/self/cgroup", "0::/\n");
  proc.write("proc/self/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
  auto paths = detect_cgroups(proc.root());
  ASSERT_TRUE(paths.ok());
  EXPECT_EQ(paths->version, CgroupVersion::kNone);
  EXPECT_FALSE(paths->memory.has_value());
}

TEST(CgroupPathsTest, UnreadableProcSelfIsAnError) {
  FakeProc proc;
  EXPECT_FALSE(detect_cgroups(proc.root()).ok());
}

TEST(CgroupPathsTest, UpTheTreeStopsAtTheMountPoint) {
  ControllerDir d{true, "/r/sys/fs/cgroup/a/b", "/r/sys/fs/cgroup"};
  EXPECT_EQ(d.up_the_tree(), (std::vector<fs::path>{"/r/sys/fs/cgroup/a/b", "/r/sys/fs/cgroup/a",
                                                    "/r/sys/fs/cgroup"}));
  ControllerDir top{true, "/r/sys/fs/cgroup", "/r/sys/fs/cgroup"};
  EXPECT_EQ(top.up_the_tree().size(), 1u);
}

OwnCgroupDirs own(std::string_view self_cgroup, std::string_view mountinfo) {
  auto dirs = parse_own_cgroup_dirs(self_cgroup, mountinfo);
  EXPECT_TRUE(dirs.ok()) << dirs.status().message();
  return dirs.ok() ? dirs.value() : OwnCgroupDirs{};
}

// --- the own cgroup's directories, for the runner (src/exec) that creates cgroups beside it

TEST(OwnCgroupDirsTest, PureV2JoinsThePathToTheMount) {
  const auto p = own("0::/user.slice/gaia.service\n",
                     "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/user.slice/gaia.service");
  EXPECT_TRUE(p.v1.empty());
}

TEST(OwnCgroupDirsTest, HybridHasV1ControllersAndTheUnifiedTree) {
  const auto p = own("8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n",
                     "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
                     "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                     "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                     "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
                     "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/unified");
  EXPECT_EQ(p.v1.at("memory"), "/sys/fs/cgroup/memory/process_api/abc");
  EXPECT_EQ(p.v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct/x");
  EXPECT_EQ(p.v1.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/x");
  EXPECT_EQ(p.v1.at("pids"), "/sys/fs/cgroup/pids");
}

TEST(OwnCgroupDirsTest, AMountOfASubtreeIsRelativeToItsRoot) {
  const auto p = own("0::/kubepods/pod1/c1\n",
                     "100 90 0:26 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/c1");
  const auto outside =
      own("0::/elsewhere\n", "100 90 0:26 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  EXPECT_FALSE(outside.v2.has_value());
}

TEST(OwnCgroupDirsTest, EscapedMountPointsAndOptionalFieldsAreRead) {
  const auto p =
      own("0::/a\n", "30 23 0:26 / /mnt/my\\040cgroups rw shared:4 master:1 - cgroup2 none rw\n");
  EXPECT_EQ(p.v2, "/mnt/my cgroups/a");
}

TEST(OwnCgroupDirsTest, NoCgroupMountsMeansNoPaths) {
  const auto p = own("0::/\n", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
  EXPECT_FALSE(p.v2.has_value());
  EXPECT_TRUE(p.v1.empty());
}

}  // namespace
}  // namespace gaia::monitor
