// libFuzzer target: the NIfTI-1 reader on arbitrary bytes (a single-file .nii).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "datasets/nifti.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medrepro::datasets;
  try {
    NiftiOptions options;
    options.max_bytes = uint64_t(1) << 24;
    const NiftiImage image = parse_nifti(std::span(data, size), "fuzz.nii", options);
    try {
      (void)to_labels(image.volume, "fuzz.nii");
    } catch (const medrepro::Error&) {
    }
  } catch (const medrepro::Error&) {
  }
  return 0;
}
