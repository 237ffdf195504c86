#pragma once
// The host CPU's own FP32 FMA peak, measured with vector intrinsics on every
// core: on a CPU Vulkan driver (lavapipe) it is the ceiling the driver's code
// and the peer's (oneDNN, OpenBLAS) share, so the rows say how much of it the
// driver's generated code reaches. x86-64 only; elsewhere there are no rows.
#include <vector>

#include "tests/bench/row.h"

namespace medrepro::bench {

// "host fma 256-bit" and, where the CPU has AVX-512, "host fma 512-bit".
std::vector<Row> host_peak_rows(const Budget& budget);

}  // namespace medrepro::bench
