// The constants of fast_divisor make (umulhi(n, magic) + n) >> shift, the
// formula of shaders/common.glsl fast_divide, equal n / d for every n < 2^31.
#include <doctest/doctest.h>

#include <cstdint>

#include "core/error.h"
#include "core/kernels.h"

namespace {
uint32_t divide_like_the_shader(uint32_t n, medrepro::FastDivisor f) {
  const auto high = static_cast<uint32_t>((uint64_t(n) * f.magic) >> 32);
  return (high + n) >> f.shift;
}
}  // namespace

TEST_CASE("fast_divisor's constants divide exactly below 2^31") {
  for (uint32_t d : {1u, 2u, 3u, 5u, 6u, 7u, 13u, 14u, 27u, 28u, 55u, 64u, 113u, 224u, 227u, 3025u, 50625u,
                     65535u, 65537u, 1000003u, (1u << 31) - 1, 1u << 31}) {
    CAPTURE(d);
    const medrepro::FastDivisor f = medrepro::fast_divisor(d);
    int wrong = 0;
    auto check = [&](uint32_t n) { wrong += divide_like_the_shader(n, f) != n / d; };
    for (uint32_t n = 0; n < 100000; ++n) check(n);
    for (uint32_t k = 1; k < 4000; ++k) {  // around multiples of d, where rounding errors would show
      const uint64_t multiple = uint64_t(k) * d * 7919 % (uint64_t(1) << 31);
      for (int64_t delta = -2; delta <= 2; ++delta) {
        const int64_t n = int64_t(multiple - multiple % d) + delta;
        if (n >= 0 && n < (int64_t(1) << 31)) check(static_cast<uint32_t>(n));
      }
    }
    for (uint32_t n = (1u << 31) - 100000; n < (1u << 31); ++n) check(n);
    CHECK(wrong == 0);
  }
  CHECK_THROWS_AS(medrepro::fast_divisor(0), medrepro::Error);
}
