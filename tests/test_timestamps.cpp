#include <doctest/doctest.h>

#include <chrono>

#include "core/device.h"
#include "core/ops/elementwise.h"
#include "core/stream.h"
#include "core/tensor.h"
#include "core/timestamps.h"

using medrepro::Context;
using medrepro::DeviceTimer;
using medrepro::Tensor;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("device time of a copy is positive and within the host wall time around it") {
  Context& context = Context::get();
  if (!DeviceTimer::supported(context)) {
    MESSAGE("device has no timestamps on its compute queue; skipped");
    return;
  }
  const int64_t floats = 4 << 20;  // 16 MiB: long enough to be well above the timer's resolution
  Tensor source = Tensor::full({floats}, 1.5f), target = Tensor::zeros({floats});
  context.stream().synchronize();
  DeviceTimer timer;
  const Clock::time_point start = Clock::now();
  timer.start();
  medrepro::copy_into(target, source);
  timer.stop();
  const double device_ms = timer.elapsed_ms();  // synchronizes
  const double wall_ms = ms_since(start);
  CHECK(device_ms > 0);
  CHECK(device_ms <= wall_ms);
  CHECK(target.to_host()[size_t(floats - 1)] == 1.5f);
}

TEST_CASE("a timer spans several submissions and can be restarted") {
  Context& context = Context::get();
  if (!DeviceTimer::supported(context)) return;
  Tensor x = Tensor::full({1024}, 1.0f);
  DeviceTimer timer;
  for (int round = 0; round < 2; ++round) {
    const Clock::time_point start = Clock::now();
    timer.start();
    // More dispatches than one command buffer takes (the stream submits every 256).
    for (int i = 0; i < 300; ++i) x = medrepro::scale(x, 1.0f);
    timer.stop();
    const double device_ms = timer.elapsed_ms();
    CHECK(device_ms > 0);
    CHECK(device_ms <= ms_since(start));
  }
  CHECK(x.to_host()[0] == 1.0f);
}
