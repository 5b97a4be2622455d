#pragma once
// A fake /proc and /sys/fs/cgroup tree in a temp dir, for the monitor readers (which take a
// root path). Counters are set by value, so a test states exactly the load it means.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace gaia::testing {

class FakeProc {
 public:
  const std::filesystem::path& root() const { return dir_.path(); }

  // Writes `content` to root/<relative>, creating directories.
  void write(const std::string& relative, const std::string& content) {
    std::filesystem::path p = root() / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::trunc);
    out << content;
    ASSERT_TRUE(out.good()) << p;
  }
  void remove(const std::string& relative) { std::filesystem::remove_all(root() / relative); }

  // /proc/stat with `cpus` CPUs whose aggregate line has `busy` user ticks and `idle` idle
  // ticks (iowait 0).
  void stat(uint64_t busy, uint64_t idle, int cpus = 4) {
    std::string text =
        "cpu  " + std::to_string(busy) + " 0 0 " + std::to_string(idle) + " 0 0 0 0 0 0\n";
    for (int i = 0; i < cpus; ++i) text += "cpu" + std::to_string(i) + " 0 0 0 0 0 0 0 0 0 0\n";
    text += "intr 0\nctxt 0\nbtime 0\n";
    write("proc/stat", text);
  }

  // /proc/meminfo with MemTotal and MemAvailable in kB.
  void meminfo(uint64_t total_kb, uint64_t available_kb) {
    write("proc/meminfo", "MemTotal:       " + std::to_string(total_kb) +
                              " kB\nMemFree:        1000 kB\nMemAvailable:   " +
                              std::to_string(available_kb) + " kB\nBuffers:  0 kB\n");
  }

  // A pure v2 system: this process in `path`, the unified hierarchy at /sys/fs/cgroup.
  void cgroup_v2(const std::string& path) {
    write("proc/self/cgroup", "0::" + path + "\n");
    write("proc/self/mountinfo",
          "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
          "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
          "cgroup2 rw,nsdelegate,memory_recursiveprot\n");
  }

  // A v1 system: cpu and cpuacct co-mounted, memory apart, this process in `path` in both.
  void cgroup_v1(const std::string& path) {
    write("proc/self/cgroup", "12:pids:/\n4:memory:" + path + "\n3:cpu,cpuacct:" + path +
                                  "\n1:name=systemd:/init.scope\n");
    write("proc/self/mountinfo",
          "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
          "25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
          "26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid shared:10 - cgroup cgroup "
          "rw,xattr,name=systemd\n"
          "31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:14 - cgroup cgroup rw,memory\n"
          "32 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup "
          "rw,cpu,cpuacct\n"
          "33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid shared:16 - cgroup cgroup rw,pids\n");
  }

 private:
  TempDir dir_;
};

}  // namespace gaia::testing
