// libFuzzer target: the .npy parser on arbitrary bytes. A medrepro::Error is
// the expected outcome for bad input; anything else (a crash, a sanitizer
// report, another exception, a huge allocation) is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "datasets/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  medrepro::datasets::NpyOptions options;
  options.max_bytes = uint64_t(1) << 24;
  try {
    const medrepro::datasets::NpyArray array = medrepro::datasets::parse_npy(std::span(data, size), "fuzz.npy", options);
    if (array.count() <= 4096) {
      (void)array.to_float();
      try {
        (void)array.to_int64();
      } catch (const medrepro::Error&) {
      }
    }
    (void)medrepro::datasets::encode_npy(array);
  } catch (const medrepro::Error&) {
  }
  return 0;
}
