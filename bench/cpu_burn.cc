// Burns `duty` (0..1) of one CPU for `seconds`: busy for duty x 10 ms, asleep for the rest of
// each 10 ms period. Run one per core for a machine-wide load of about duty x 100 %.
//
//   cpu_burn DUTY SECONDS

#include <chrono>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const double duty = std::stod(argv[1]);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(argv[2]));
  const auto period = std::chrono::milliseconds(10);
  volatile unsigned long sink = 0;
  while (std::chrono::steady_clock::now() < end) {
    const auto start = std::chrono::steady_clock::now();
    const auto busy_until =
        start + std::chrono::duration_cast<std::chrono::nanoseconds>(period * duty);
    while (std::chrono::steady_clock::now() < busy_until) sink = sink + 1;
    std::this_thread::sleep_until(start + period);
  }
  return 0;
}
