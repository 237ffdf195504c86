#include <doctest/doctest.h>

#include "core/device.h"
#include "core/ops/elementwise.h"
#include "core/profiler.h"
#include "core/stream.h"
#include "core/timestamps.h"

using medrepro::Context;
using medrepro::Tensor;

TEST_CASE("the profiler charges device time to the kernels that ran, counting each call") {
  Context& context = Context::get();
  if (!medrepro::DeviceTimer::supported(context)) {
    MESSAGE("device has no timestamps on its compute queue; skipped");
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
}
