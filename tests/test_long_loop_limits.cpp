// Loop-budget splits at sizes past lavapipe's own limit (65,535 loop iterations
// per invocation), where the unsplit kernels returned wrong numbers without an
// error; slow on a CPU driver (a workgroup per row), hence label "long".
#include <doctest/doctest.h>

#include "cross_entropy_rows.h"

TEST_CASE("cross_entropy: a mean over 4.5 million rows, past lavapipe's 65,535 loop iterations per invocation") {
  // Unsplit, the reduction's 64 lanes on lavapipe would each walk 70,313 rows.
  testing::check_long_cross_entropy(4'500'000);
}
