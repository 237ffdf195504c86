#include "datasets/image.h"

#include <climits>
#include <cstring>
#include <memory>

#include "core/error.h"

// The only stb_image implementation in the project; static so that it cannot
// clash with another copy linked elsewhere. Decoding from memory is thread-safe
// (the failure reason is thread-local; no global option is ever changed).
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
#include "stb_image.h"

namespace medrepro::datasets {
namespace {

int checked_length(std::span<const uint8_t> encoded, const std::string& name) {
  if (encoded.empty()) fail(name + ": cannot decode image: the file is empty");
  if (encoded.size() > size_t(INT_MAX)) fail(name + ": cannot decode image: larger than 2 GiB");
  return static_cast<int>(encoded.size());
}

// stb_image 2.27 (the version in Debian bookworm) trusts the symbol counts of a
// JPEG Huffman table (DHT segment): more than 256 symbols write past its tables
// (fixed upstream in 2.28). So every DHT that stb_image could read is checked
// first. Up to the frame header (SOF) the segments are walked as stb_image
// walks them (including its skipping of stray bytes between segments); after
// it, every FF C4 byte pair is checked, which covers every way stb_image can
// meet a DHT marker there (entropy-coded data never holds FF C4: FF is
// stuffed). Bytes past the end read as 0, as in stb_image.
bool jpeg_huffman_tables_ok(std::span<const uint8_t> d) {
  const auto at = [&](size_t i) -> size_t { return i < d.size() ? d[i] : 0; };
  // The DHT segment whose 2-byte length starts at `p`.
  const auto dht_ok = [&](size_t p) {
    long remaining = long(at(p) << 8 | at(p + 1)) - 2;
    size_t q = p + 2;
    while (remaining > 0) {
      const size_t tc = at(q) >> 4, th = at(q) & 15;
      if (tc > 1 || th > 3) return true;  // stb_image rejects the table before building it
      size_t symbols = 0;
      for (size_t i = 1; i <= 16; ++i) symbols += at(q + i);
      if (symbols > 256) return false;
      q += 17 + symbols;
      remaining -= long(17 + symbols);
      if (q > d.size() + 17) return true;  // only zeros from here: empty tables
    }
    return true;
  };
  constexpr size_t kNone = 0xff;
  size_t pos = 0;
  const auto get_marker = [&]() -> size_t {  // stb_image's stbi__get_marker
    size_t x = at(pos++);
    if (x != 0xff) return kNone;
    while (x == 0xff) x = at(pos++);
    return x;
  };
  if (get_marker() != 0xd8) return true;  // not a JPEG
  size_t marker = get_marker();
  while (marker != 0xc0 && marker != 0xc1 && marker != 0xc2) {
    const bool known = marker == 0xc4 || marker == 0xdb || marker == 0xdd || (marker >= 0xe0 && marker <= 0xef) ||
                       marker == 0xfe;
    if (!known) return true;  // stb_image stops with an error here
    if (marker == 0xc4 && !dht_ok(pos)) return false;
    pos += at(pos) << 8 | at(pos + 1);  // a segment that stb_image accepts is consumed whole
    marker = get_marker();
    while (marker == kNone) {
      if (pos >= d.size()) return true;
      marker = get_marker();
    }
  }
  for (size_t p = pos; p + 1 < d.size(); ++p) {
    if (d[p] == 0xff && d[p + 1] == 0xc4 && !dht_ok(p + 2)) return false;
  }
  return true;
}

void check_jpeg(std::span<const uint8_t> encoded, const std::string& name) {
  if (!jpeg_huffman_tables_ok(encoded)) {
    fail(name + ": cannot decode image (corrupt JPEG: a Huffman table declares more than 256 symbols, " +
         std::to_string(encoded.size()) + " bytes)");
  }
}

[[noreturn]] void decode_failure(std::span<const uint8_t> encoded, const std::string& name) {
  const char* reason = stbi_failure_reason();
  fail(name + ": cannot decode image (" + (reason != nullptr ? reason : "unknown reason") + ", " +
       std::to_string(encoded.size()) + " bytes)");
}

struct StbFree {
  void operator()(stbi_uc* data) const { stbi_image_free(data); }
};

std::unique_ptr<stbi_uc, StbFree> decode(std::span<const uint8_t> encoded, const std::string& name, int& width,
                                         int& height) {
  int channels = 0;
  check_jpeg(encoded, name);
  std::unique_ptr<stbi_uc, StbFree> data(
      stbi_load_from_memory(encoded.data(), checked_length(encoded, name), &width, &height, &channels, 1));
  if (!data) decode_failure(encoded, name);
  return data;
}

}  // namespace

GreyImage decode_grey(std::span<const uint8_t> encoded, const std::string& name) {
  GreyImage image;
  const auto data = decode(encoded, name, image.width, image.height);
  image.pixels.assign(data.get(), data.get() + size_t(image.width) * size_t(image.height));
  return image;
}

ImageInfo probe_image(std::span<const uint8_t> encoded, const std::string& name) {
  ImageInfo info;
  check_jpeg(encoded, name);
  if (!stbi_info_from_memory(encoded.data(), checked_length(encoded, name), &info.width, &info.height,
                             &info.channels)) {
    decode_failure(encoded, name);
  }
  return info;
}

void decode_grey_into(std::span<const uint8_t> encoded, const std::string& name, int width, int height,
                      uint8_t* destination) {
  int decoded_width = 0, decoded_height = 0;
  const auto data = decode(encoded, name, decoded_width, decoded_height);
  if (decoded_width != width || decoded_height != height) {
    fail(name + ": image is " + std::to_string(decoded_width) + "x" + std::to_string(decoded_height) + ", expected " +
         std::to_string(width) + "x" + std::to_string(height));
  }
  std::memcpy(destination, data.get(), size_t(width) * size_t(height));
}

}  // namespace medrepro::datasets
