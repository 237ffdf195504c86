#pragma once
// A 3D grid of voxels held in memory, C order [depth][height][width]: the
// width (x) index varies fastest. A 2D image is a grid of depth 1.
//
// NIfTI files store x fastest too, so a NIfTI volume of dims nx x ny x nz is a
// Grid with width = nx, height = ny, depth = nz, and spacing = {pixdim[1],
// pixdim[2], pixdim[3]} (x, y, z in mm). A NumPy array of shape (D, H, W) maps
// to depth D, height H, width W.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medrepro::datasets {

template <typename T>
struct Grid {
  int depth = 0;
  int height = 0;
  int width = 0;
  std::array<double, 3> spacing{1.0, 1.0, 1.0};  // voxel size along x (width), y (height), z (depth), in mm
  std::vector<T> data;                           // depth * height * width

  Grid() = default;
  Grid(int d, int h, int w, T fill = T{}) : depth(d), height(h), width(w), data(size_t(d) * size_t(h) * size_t(w), fill) {}

  size_t plane() const { return size_t(height) * size_t(width); }
  size_t size() const { return size_t(depth) * plane(); }
  T& at(int z, int y, int x) { return data[size_t(z) * plane() + size_t(y) * size_t(width) + size_t(x)]; }
  const T& at(int z, int y, int x) const { return data[size_t(z) * plane() + size_t(y) * size_t(width) + size_t(x)]; }
  T* slice(int z) { return data.data() + size_t(z) * plane(); }
  const T* slice(int z) const { return data.data() + size_t(z) * plane(); }
  bool same_shape(int d, int h, int w) const { return depth == d && height == h && width == w; }
  template <typename U>
  bool same_shape(const Grid<U>& other) const { return same_shape(other.depth, other.height, other.width); }
  // "WxHxD" (NIfTI order: x first), e.g. "240x240x155".
  std::string shape_text() const {
    std::string text = std::to_string(width);
    text += "x";
    text += std::to_string(height);
    text += "x";
    text += std::to_string(depth);
    return text;
  }
};

using Volume = Grid<float>;          // intensities
using LabelVolume = Grid<uint8_t>;   // label maps (class indices 0..255)

}  // namespace medrepro::datasets
