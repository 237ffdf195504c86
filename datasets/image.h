#pragma once
// 8-bit greyscale images decoded from JPEG/PNG in memory (stb_image), and a
// labelled set of same-sized images stored contiguously as uint8.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace medrepro::datasets {

struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // height * width, row-major
};

// Decodes a JPEG, PNG (or any other format stb_image reads) to 8-bit grey.
// Colour images are converted by stb_image's 1-channel request
// (y = (77 r + 150 g + 29 b) >> 8); 16-bit PNGs are reduced to 8 bits.
// Error naming `name` (the archive entry or file) if it cannot be decoded.
GreyImage decode_grey(std::span<const uint8_t> encoded, const std::string& name);

struct ImageInfo {
  int width = 0;
  int height = 0;
  int channels = 0;  // as stored: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
};
// Reads only the header (cheap). Error naming `name` if it is not an image stb_image reads.
ImageInfo probe_image(std::span<const uint8_t> encoded, const std::string& name);

// decode_grey into `destination` (width * height bytes); Error if the image has another size.
void decode_grey_into(std::span<const uint8_t> encoded, const std::string& name, int width, int height,
                      uint8_t* destination);

// A classification data set held in memory: N images of one size, uint8, one
// label each, plus where it came from.
struct ImageSet {
  std::string dataset;                   // e.g. "MedNIST"
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;           // N * height * width
  std::vector<int> labels;               // N, index into class_names
  std::vector<std::string> files;        // N, relative path, e.g. "Hand/000123.jpeg"
  std::vector<uint64_t> content_hashes;  // N, first 64 bits of SHA-256 of the encoded file bytes
  std::vector<std::string> class_names;  // loaded classes, sorted; label i is class_names[i]
  std::vector<size_t> class_counts;      // images loaded per loaded class

  // Provenance.
  std::filesystem::path source;             // the archive or folder read
  std::string source_kind;                  // "archive" or "folder"
  std::string sha256;                       // archive: SHA-256 of the file; folder: see class_folders.h
  std::vector<std::string> available_classes;  // every class found at the source, sorted
  std::vector<size_t> available_counts;        // images per available class at the source

  size_t size() const { return labels.size(); }
  size_t image_bytes() const { return size_t(height) * size_t(width); }
  const uint8_t* image(size_t index) const { return pixels.data() + index * image_bytes(); }
};

}  // namespace medrepro::datasets
