#pragma once
// Greyscale tiles (filters, feature maps) laid out in a grid and saved as PNG.
#include <string>
#include <vector>

namespace medrepro::report {

struct Tiles {
  int height = 0, width = 0;
  std::vector<std::vector<float>> tiles;  // each height * width, row-major
};

// Each tile is min-max normalised on its own, enlarged by `zoom` (nearest
// neighbour) and separated by a one-pixel white border.
void write_tile_grid_png(const std::string& path, const Tiles& tiles, int columns, int zoom);

}  // namespace medrepro::report
