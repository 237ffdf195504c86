#include "tests/bench/timing.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <vector>

#include "core/device.h"
#include "core/profiler.h"
#include "core/stream.h"
#include "core/timestamps.h"

namespace medrepro::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of the whole process (its driver threads included): on a CPU driver
// sharing the machine with other work, this shows the cost that wall-clock
// time hides behind waiting for a core.
double process_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

struct Sample {
  double wall_ms, cpu_ms, device_ms;
};

Sample sample(Work& work, int reps, DeviceTimer* timer) {
  Stream& stream = Context::get().stream();
  work.prepare(reps);
  stream.synchronize();
  const double cpu_start = process_cpu_ms();
  const Clock::time_point start = Clock::now();
  if (timer) timer->start();
  for (int i = 0; i < reps; ++i) work.run(i);
  if (timer) timer->stop();
  stream.synchronize();
  const double wall_ms = ms_since(start), cpu_ms = process_cpu_ms() - cpu_start;
  const double device_ms = timer ? timer->elapsed_ms() : 0.0;
  return {wall_ms / reps, cpu_ms / reps, device_ms / reps};
}

Spread spread_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

}  // namespace

std::vector<std::pair<std::string, double>> kernel_shares(Work& work) {
  Stream& stream = Context::get().stream();
  if (stream.profiling() || !DeviceTimer::supported(Context::get())) return {};
  work.prepare(1);
  stream.synchronize();
  stream.start_profiling();
  work.run(0);
  const std::unique_ptr<Profiler> profiler = stream.stop_profiling();
  const std::vector<Profiler::Row> rows = profiler->rows();
  double total = 0;
  for (const Profiler::Row& row : rows) total += row.ms;
  std::vector<std::pair<std::string, double>> shares;
  for (const Profiler::Row& row : rows) shares.emplace_back(row.kernel, total > 0 ? row.ms / total : 0.0);
  return shares;
}

Timing measure(Work work, const Budget& budget, bool device_timing) {
  std::unique_ptr<DeviceTimer> timer;
  if (device_timing && DeviceTimer::supported(Context::get())) timer = std::make_unique<DeviceTimer>();
  const Clock::time_point row_start = Clock::now();
  double once = sample(work, 1, nullptr).wall_ms;  // warm-up: pipelines, allocator blocks
  // A warm-up much shorter than a sample may be mostly pipeline building: time one more.
  if (once < budget.sample_ms) once = sample(work, 1, nullptr).wall_ms;
  Timing timing;
  timing.reps = std::clamp(static_cast<int>(budget.sample_ms / std::max(once, 1e-3)), 1,
                           std::min(budget.max_reps, work.max_reps));
  std::vector<double> wall, cpu, device;
  while (static_cast<int>(wall.size()) < budget.samples &&
         (static_cast<int>(wall.size()) < budget.min_samples || ms_since(row_start) < budget.seconds * 1e3)) {
    const Sample one = sample(work, timing.reps, timer.get());
    wall.push_back(one.wall_ms);
    cpu.push_back(one.cpu_ms);
    device.push_back(one.device_ms);
  }
  timing.samples = static_cast<int>(wall.size());
  timing.wall = spread_of(wall);
  timing.cpu_ms = spread_of(cpu).median;
  if (timer) timing.device = spread_of(device);
  return timing;
}

}  // namespace medrepro::bench
