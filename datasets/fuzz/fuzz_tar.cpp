// libFuzzer target: the tar reader on arbitrary bytes. Inputs that start with
// the gzip magic go through a temporary file and the streaming gzip reader
// (.tar.gz), the others are read from memory (.tar).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "core/error.h"
#include "datasets/memory_source.h"
#include "datasets/tar.h"

namespace {

const std::string& temporary_path() {
  static const std::string path = [] {
    std::string name = "/tmp/medrepro_fuzz_tar_";
    name += std::to_string(::getpid());
    name += ".tar.gz";
    return name;
  }();
  return path;
}

// Removes the temporary file once the reader has it open (or failed to open it).
struct RemoveFile {
  const std::string& path;
  ~RemoveFile() { std::remove(path.c_str()); }
};

void read_archive(medrepro::datasets::TarReader& tar) {
  size_t entries = 0;
  while (const medrepro::datasets::TarEntry* entry = tar.next()) {
    if (++entries > 256) break;
    if (entry->size <= (1u << 20)) (void)tar.read_all(uint64_t(1) << 20);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medrepro::datasets;
  try {
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
      const std::string& path = temporary_path();
      std::FILE* file = std::fopen(path.c_str(), "wb");
      if (file == nullptr) return 0;
      std::fwrite(data, 1, size, file);
      std::fclose(file);
      std::unique_ptr<TarReader> tar;
      {
        const RemoveFile remove{path};
        tar = std::make_unique<TarReader>(path);
      }
      read_archive(*tar);
    } else {
      TarReader tar(std::make_unique<MemorySource>(std::span(data, size), "fuzz.tar"));
      read_archive(tar);
    }
  } catch (const medrepro::Error&) {
  }
  return 0;
}
