#include "papers/common/png_file.h"

#include "core/error.h"
#include "papers/common/files.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace medrepro::report {

void write_png(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels) {
  if (width <= 0 || height <= 0 || pixels.size() != size_t(width) * size_t(height) * size_t(channels)) {
    fail("write_png: " + path + ": " + std::to_string(pixels.size()) + " bytes for " + std::to_string(width) + "x" +
         std::to_string(height) + "x" + std::to_string(channels));
  }
  std::vector<uint8_t> encoded;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  if (!stbi_write_png_to_func(append, &encoded, width, height, channels, pixels.data(), width * channels)) {
    fail("Cannot encode PNG " + path);
  }
  write_file_atomically(path, std::string(encoded.begin(), encoded.end()));
}

}  // namespace medrepro::report
