// libFuzzer target: the zip reader (.npz container) on arbitrary bytes, reading
// every entry both raw and as a .npy array.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "datasets/npy.h"
#include "datasets/zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medrepro::datasets;
  try {
    ZipArchive archive(std::span(data, size), "fuzz.npz");
    size_t opened = 0;
    for (const ZipEntry& entry : archive.entries()) {
      if (++opened > 16) break;
      try {
        (void)archive.read(entry, uint64_t(1) << 24);
      } catch (const medrepro::Error&) {
      }
      try {
        NpyOptions options;
        options.max_bytes = uint64_t(1) << 24;
        auto stream = archive.open(entry);
        (void)read_npy(*stream, options);
      } catch (const medrepro::Error&) {
      }
    }
  } catch (const medrepro::Error&) {
  }
  return 0;
}
