#include "datasets/clahe.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace medrepro::datasets {
namespace {

// Region boundaries along one axis: `tiles` + 1 increasing positions from 0 to extent.
std::vector<int> region_edges(int extent, int tiles) {
  std::vector<int> edges;
  for (int i = 0; i <= tiles; ++i) edges.push_back(int(std::lround(double(i) * double(extent) / double(tiles))));
  return edges;
}

// The two regions whose centres surround `position` along one axis, and the weight of the second.
struct AxisBlend {
  int first, second;
  double weight;
};

AxisBlend blend(double position, const std::vector<double>& centres) {
  if (position <= centres.front()) return {0, 0, 0.0};
  if (position >= centres.back()) return {int(centres.size()) - 1, int(centres.size()) - 1, 0.0};
  const int second = int(std::upper_bound(centres.begin(), centres.end(), position) - centres.begin());
  const int first = second - 1;
  return {first, second, (position - centres[size_t(first)]) / (centres[size_t(second)] - centres[size_t(first)])};
}

}  // namespace

void clahe_plane(float* pixels, int height, int width, const ClaheOptions& options) {
  if (height < 1 || width < 1) fail("clahe: empty plane");
  if (options.tiles_y < 1 || options.tiles_x < 1 || options.tiles_y > height || options.tiles_x > width) {
    fail("clahe: " + std::to_string(options.tiles_y) + " x " + std::to_string(options.tiles_x) + " regions for a " +
         std::to_string(height) + " x " + std::to_string(width) + " plane");
  }
  if (options.bins < 2 || options.clip_limit <= 0) fail("clahe: at least 2 bins and a positive clip limit");
  const size_t count = size_t(height) * size_t(width);
  const auto [low, high] = std::minmax_element(pixels, pixels + count);
  if (!std::isfinite(*low) || !std::isfinite(*high)) fail("clahe: the plane holds NaN or Inf");
  const double range = double(*high) - double(*low);
  std::vector<int> bin(count);
  for (size_t i = 0; i < count; ++i) {
    const double unit = range > 0 ? (double(pixels[i]) - double(*low)) / range : 1.0;
    bin[i] = std::min(options.bins - 1, int(unit * options.bins));
  }

  const std::vector<int> rows = region_edges(height, options.tiles_y), columns = region_edges(width, options.tiles_x);
  const size_t bins = size_t(options.bins);
  std::vector<std::vector<double>> maps;  // per region, row-major over regions: bin -> (0, 1]
  for (int ry = 0; ry < options.tiles_y; ++ry) {
    for (int rx = 0; rx < options.tiles_x; ++rx) {
      std::vector<double> histogram(bins, 0.0);
      for (int y = rows[size_t(ry)]; y < rows[size_t(ry) + 1]; ++y) {
        for (int x = columns[size_t(rx)]; x < columns[size_t(rx) + 1]; ++x) {
          histogram[size_t(bin[size_t(y) * size_t(width) + size_t(x)])] += 1;
        }
      }
      const double region_pixels = double(rows[size_t(ry) + 1] - rows[size_t(ry)]) *
                                   double(columns[size_t(rx) + 1] - columns[size_t(rx)]);
      const double clip = std::max(1.0, options.clip_limit * region_pixels);
      double excess = 0;
      for (double& h : histogram) {
        if (h > clip) {
          excess += h - clip;
          h = clip;
        }
      }
      double cumulative = 0;
      for (double& h : histogram) {
        cumulative += h + excess / double(bins);
        h = cumulative / region_pixels;
      }
      maps.push_back(std::move(histogram));
    }
  }

  std::vector<double> row_centres, column_centres;
  for (int ry = 0; ry < options.tiles_y; ++ry) row_centres.push_back(0.5 * (rows[size_t(ry)] + rows[size_t(ry) + 1]));
  for (int rx = 0; rx < options.tiles_x; ++rx) {
    column_centres.push_back(0.5 * (columns[size_t(rx)] + columns[size_t(rx) + 1]));
  }
  for (int y = 0; y < height; ++y) {
    const AxisBlend by = blend(y + 0.5, row_centres);
    for (int x = 0; x < width; ++x) {
      const AxisBlend bx = blend(x + 0.5, column_centres);
      const size_t b = size_t(bin[size_t(y) * size_t(width) + size_t(x)]);
      auto map = [&](int ry, int rx) { return maps[size_t(ry) * size_t(options.tiles_x) + size_t(rx)][b]; };
      const double top = (1 - bx.weight) * map(by.first, bx.first) + bx.weight * map(by.first, bx.second);
      const double bottom = (1 - bx.weight) * map(by.second, bx.first) + bx.weight * map(by.second, bx.second);
      pixels[size_t(y) * size_t(width) + size_t(x)] = float(std::clamp((1 - by.weight) * top + by.weight * bottom, 0.0, 1.0));
    }
  }
}

void clahe_slices(Volume& volume, const ClaheOptions& options) {
  for (int z = 0; z < volume.depth; ++z) clahe_plane(volume.slice(z), volume.height, volume.width, options);
}

}  // namespace medrepro::datasets
