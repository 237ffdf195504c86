#include "tests/bench/host_peak.h"

#include <string>
#include <thread>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace medrepro::bench {
namespace {

constexpr long kIterations = 100'000'000;
constexpr int kChains = 12;  // independent FMAs in flight: covers latency x ports on current cores

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) float fma_chains_256(float seed) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + float(c));
  const __m256 scale = _mm256_set1_ps(0.999f), offset = _mm256_set1_ps(0.001f);
  for (long i = 0; i < kIterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], scale, offset);
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c) sum += _mm256_cvtss_f32(acc[c]);
  return sum;
}

__attribute__((target("avx512f"))) float fma_chains_512(float seed) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + float(c));
  const __m512 scale = _mm512_set1_ps(0.999f), offset = _mm512_set1_ps(0.001f);
  for (long i = 0; i < kIterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], scale, offset);
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c) sum += _mm512_cvtss_f32(acc[c]);
  return sum;
}

Row host_row(const std::string& width, int lanes, float (*kernel)(float), const Budget& budget) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  Row row{"peak", "host fma " + width,
          std::to_string(threads) + " threads x " + std::to_string(kChains) + " chains, C++ intrinsics",
          Unit::GflopPerSecond, 2.0 * lanes * kChains * double(kIterations) * threads, budget};
  row.device_time = false;
  row.make = [threads, kernel] {
    return Work{.run = [threads, kernel](int) {
                  std::vector<std::thread> workers;
                  std::vector<float> sinks(threads);
                  for (unsigned t = 0; t < threads; ++t) {
                    workers.emplace_back([&sinks, t, kernel] { sinks[t] = kernel(float(t)); });
                  }
                  for (std::thread& w : workers) w.join();
                },
                .max_reps = 1};
  };
  return row;
}
#endif

}  // namespace

std::vector<Row> host_peak_rows(const Budget& budget) {
  std::vector<Row> rows;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    rows.push_back(host_row("256-bit", 8, fma_chains_256, budget));
  }
  if (__builtin_cpu_supports("avx512f")) rows.push_back(host_row("512-bit", 16, fma_chains_512, budget));
#else
  (void)budget;
#endif
  return rows;
}

}  // namespace medrepro::bench
