#include <doctest/doctest.h>

#include <memory>

#include "core/device.h"
#include "core/ops/elementwise.h"
#include "core/profiler.h"
#include "core/stream.h"
#include "core/timestamps.h"

using medrepro::Context;
using medrepro::Tensor;

TEST_CASE("the profiler charges device time to the kernels that ran, counting each call") {
  Context& context = Context::get();
  if (!medrepro::DeviceTimer::supported(context) || context.stream().profiling()) {
    MESSAGE("device has no timestamps, or the whole run is profiled; skipped");
    return;
  }
  Tensor x = Tensor::full({1 << 20}, -1.0f);  // recorded before profiling starts: not counted
  context.stream().start_profiling();
  for (int i = 0; i < 3; ++i) Tensor y = medrepro::relu(x);
  Tensor copy = Tensor::zeros({1 << 20});
  medrepro::copy_into(copy, x);
  const medrepro::Profiler* profiler = context.stream().profiler();
  REQUIRE(profiler != nullptr);
  const auto rows = profiler->rows();
  uint64_t relu_calls = 0, fills = 0, copies = 0;
  double total = 0;
  for (const auto& row : rows) {
    if (row.kernel.starts_with("relu")) relu_calls += row.calls;
    if (row.kernel == "(buffer fill)") fills += row.calls;
    if (row.kernel == "(buffer copy)") copies += row.calls;
    CHECK(row.ms >= 0);
    total += row.ms;
  }
  CHECK(relu_calls == 3);
  CHECK(fills == 1);  // zeros(), not the full() before profiling started
  CHECK(copies == 1);
  CHECK(total > 0);
  const std::string table = profiler->table();
  CHECK(table.find("relu") != std::string::npos);
  CHECK(table.find("total") != std::string::npos);
  context.stream().stop_profiling();
}

TEST_CASE("stop_profiling hands over what was counted and counts nothing after") {
  Context& context = Context::get();
  if (!medrepro::DeviceTimer::supported(context) || context.stream().profiling()) {
    MESSAGE("device has no timestamps, or the whole run is profiled; skipped");
    return;
  }
  Tensor x = Tensor::full({4096}, 2.0f);
  context.stream().start_profiling();
  Tensor y = medrepro::relu(x);
  const std::unique_ptr<medrepro::Profiler> profiler = context.stream().stop_profiling();
  CHECK_FALSE(context.stream().profiling());
  REQUIRE(profiler != nullptr);
  const auto rows = profiler->rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].kernel.starts_with("relu"));
  CHECK(rows[0].calls == 1);
  Tensor z = medrepro::relu(y);  // recorded without timestamps: the validation layer sees no query misuse
  CHECK(z.to_host().at(0) == 2.0f);
}
