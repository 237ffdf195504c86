#include "papers/common/image_grid.h"

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "papers/common/png_file.h"

namespace medrepro::report {

void write_tile_grid_png(const std::string& path, const Tiles& tiles, int columns, int zoom) {
  if (tiles.tiles.empty() || columns <= 0 || zoom <= 0) fail("write_tile_grid_png: nothing to draw for " + path);
  const int count = static_cast<int>(tiles.tiles.size());
  const int rows = (count + columns - 1) / columns;
  const int cell_h = tiles.height * zoom + 1, cell_w = tiles.width * zoom + 1;
  const int height = rows * cell_h + 1, width = std::min(count, columns) * cell_w + 1;
  std::vector<uint8_t> pixels(size_t(height) * size_t(width), 255);
  for (int t = 0; t < count; ++t) {
    const std::vector<float>& tile = tiles.tiles[size_t(t)];
    const auto [lo, hi] = std::minmax_element(tile.begin(), tile.end());
    const float range = *hi - *lo > 1e-12f ? *hi - *lo : 1.0f;
    const int top = (t / columns) * cell_h + 1, left = (t % columns) * cell_w + 1;
    for (int y = 0; y < tiles.height * zoom; ++y) {
      for (int x = 0; x < tiles.width * zoom; ++x) {
        const float v = (tile[size_t((y / zoom) * tiles.width + x / zoom)] - *lo) / range;
        pixels[size_t(top + y) * size_t(width) + size_t(left + x)] = static_cast<uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f);
      }
    }
  }
  write_png(path, width, height, 1, pixels);
}

}  // namespace medrepro::report
