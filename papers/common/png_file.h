#pragma once
// PNG files from 8-bit pixels, written atomically.
#include <cstdint>
#include <string>
#include <vector>

namespace medrepro::report {

// `pixels` holds height rows of width * channels bytes (1 grey, 3 RGB, 4 RGBA).
void write_png(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels);

}  // namespace medrepro::report
