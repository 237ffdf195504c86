#include "datasets/transforms.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "datasets/batch.h"

namespace medrepro::datasets {
namespace {


std::string size_text(int d, int h, int w) {
  std::string text = std::to_string(d);
  text += "x";
  text += std::to_string(h);
  text += "x";
  text += std::to_string(w);
  return text;
}

void check_sizes(const char* what, int d, int h, int w, int od, int oh, int ow) {
  if (d <= 0 || h <= 0 || w <= 0 || od <= 0 || oh <= 0 || ow <= 0) {
    fail(std::string(what) + ": sizes must be positive (" + size_text(d, h, w) + " -> " + size_text(od, oh, ow) + ")");
  }
}

template <typename T>
void check_grid(const Grid<T>& grid, const char* what) {
  if (grid.data.size() != grid.size()) {
    fail(std::string(what) + ": the grid holds " + std::to_string(grid.data.size()) + " values for " +
         size_text(grid.depth, grid.height, grid.width));
  }
}

template <typename T>
Grid<T> crop_pad_any(const Grid<T>& in, int depth, int height, int width, int sz, int sy, int sx, T fill) {
  check_grid(in, "crop_pad");
  check_sizes("crop_pad", std::max(in.depth, 1), std::max(in.height, 1), std::max(in.width, 1), depth, height, width);
  Grid<T> out(depth, height, width, fill);
  out.spacing = in.spacing;
  // The overlap along each axis: output [lo, hi) reads input [lo + start, hi + start).
  const auto overlap = [](int in_size, int out_size, int start, int& lo, int& hi) {
    lo = std::max(0, -start);
    hi = std::min(out_size, in_size - start);
    if (hi < lo) hi = lo;
  };
  int z0, z1, y0, y1, x0, x1;
  overlap(in.depth, depth, sz, z0, z1);
  overlap(in.height, height, sy, y0, y1);
  overlap(in.width, width, sx, x0, x1);
  if (x1 <= x0) return out;
  for (int z = z0; z < z1; ++z) {
    for (int y = y0; y < y1; ++y) {
      const T* source = &in.at(z + sz, y + sy, x0 + sx);
      std::copy(source, source + (x1 - x0), &out.at(z, y, x0));
    }
  }
  return out;
}

}  // namespace

void resize_trilinear(const float* source, int source_depth, int source_height, int source_width, float* destination,
                      int depth, int height, int width) {
  check_sizes("resize_trilinear", source_depth, source_height, source_width, depth, height, width);
  const std::vector<LinearTap> zs = linear_taps(source_depth, depth);
  const std::vector<LinearTap> ys = linear_taps(source_height, height);
  const std::vector<LinearTap> xs = linear_taps(source_width, width);
  const size_t source_plane = size_t(source_height) * size_t(source_width);
  // In-plane bilinear of the two source slices each output slice needs, then a blend along z.
  std::vector<float> lower(size_t(height) * size_t(width)), upper(lower.size());
  const auto plane = [&](int z, float* out) {
    const float* slice = source + size_t(z) * source_plane;
    for (int y = 0; y < height; ++y) {
      const LinearTap& r = ys[size_t(y)];
      const float* top = slice + size_t(r.first) * size_t(source_width);
      const float* bottom = slice + size_t(r.second) * size_t(source_width);
      float* row = out + size_t(y) * size_t(width);
      for (int x = 0; x < width; ++x) {
        const LinearTap& c = xs[size_t(x)];
        const float a = top[c.first] + c.weight * (top[c.second] - top[c.first]);
        const float b = bottom[c.first] + c.weight * (bottom[c.second] - bottom[c.first]);
        row[x] = a + r.weight * (b - a);
      }
    }
  };
  int have_lower = -1, have_upper = -1;
  for (int z = 0; z < depth; ++z) {
    const LinearTap& t = zs[size_t(z)];
    if (have_lower != t.first) {
      if (have_upper == t.first) {
        lower.swap(upper);
        std::swap(have_lower, have_upper);
      } else {
        plane(t.first, lower.data());
        have_lower = t.first;
      }
    }
    float* out = destination + size_t(z) * lower.size();
    if (t.weight == 0.0f || t.second == t.first) {
      std::copy(lower.begin(), lower.end(), out);
      continue;
    }
    if (have_upper != t.second) {
      plane(t.second, upper.data());
      have_upper = t.second;
    }
    for (size_t i = 0; i < lower.size(); ++i) out[i] = lower[i] + t.weight * (upper[i] - lower[i]);
  }
}

Volume resize_trilinear(const Volume& volume, int depth, int height, int width) {
  check_grid(volume, "resize_trilinear");
  Volume out(depth, height, width);
  resize_trilinear(volume.data.data(), volume.depth, volume.height, volume.width, out.data.data(), depth, height, width);
  out.spacing = {volume.spacing[0] * volume.width / width, volume.spacing[1] * volume.height / height,
                 volume.spacing[2] * volume.depth / depth};
  return out;
}

Volume resample_depth(const Volume& volume, int depth) {
  return resize_trilinear(volume, depth, volume.height, volume.width);
}

LabelVolume resize_nearest(const LabelVolume& labels, int depth, int height, int width) {
  check_grid(labels, "resize_nearest");
  check_sizes("resize_nearest", labels.depth, labels.height, labels.width, depth, height, width);
  const auto index = [](int in, int out) {
    std::vector<int> map(static_cast<size_t>(out));
    for (int o = 0; o < out; ++o) {
      map[size_t(o)] = std::min(static_cast<int>(std::floor((o + 0.5) * double(in) / double(out))), in - 1);
    }
    return map;
  };
  const std::vector<int> zs = index(labels.depth, depth), ys = index(labels.height, height),
                         xs = index(labels.width, width);
  LabelVolume out(depth, height, width);
  out.spacing = {labels.spacing[0] * labels.width / width, labels.spacing[1] * labels.height / height,
                 labels.spacing[2] * labels.depth / depth};
  for (int z = 0; z < depth; ++z) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) out.at(z, y, x) = labels.at(zs[size_t(z)], ys[size_t(y)], xs[size_t(x)]);
    }
  }
  return out;
}

Volume crop_pad(const Volume& volume, int depth, int height, int width, int start_z, int start_y, int start_x,
                float fill) {
  return crop_pad_any(volume, depth, height, width, start_z, start_y, start_x, fill);
}

LabelVolume crop_pad(const LabelVolume& labels, int depth, int height, int width, int start_z, int start_y,
                     int start_x, uint8_t fill) {
  return crop_pad_any(labels, depth, height, width, start_z, start_y, start_x, fill);
}

int centre_start(int in, int out) {
  return (in - out) / 2;  // truncated toward zero: an odd leftover is cropped or padded after
}

Volume centre_crop_pad(const Volume& volume, int depth, int height, int width, float fill) {
  return crop_pad(volume, depth, height, width, centre_start(volume.depth, depth), centre_start(volume.height, height),
                  centre_start(volume.width, width), fill);
}

LabelVolume centre_crop_pad(const LabelVolume& labels, int depth, int height, int width, uint8_t fill) {
  return crop_pad(labels, depth, height, width, centre_start(labels.depth, depth), centre_start(labels.height, height),
                  centre_start(labels.width, width), fill);
}

void crop_pad_2d(const float* source, int source_height, int source_width, float* destination, int height, int width,
                 int start_y, int start_x, float fill) {
  check_sizes("crop_pad_2d", 1, source_height, source_width, 1, height, width);
  for (int y = 0; y < height; ++y) {
    float* row = destination + size_t(y) * size_t(width);
    const int sy = y + start_y;
    if (sy < 0 || sy >= source_height) {
      std::fill(row, row + width, fill);
      continue;
    }
    for (int x = 0; x < width; ++x) {
      const int sx = x + start_x;
      row[x] = sx >= 0 && sx < source_width ? source[size_t(sy) * size_t(source_width) + size_t(sx)] : fill;
    }
  }
}

void normalize_min_max(std::span<float> values, float low, float high) {
  if (values.empty()) return;
  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *min_it, hi = *max_it;
  if (!(hi > lo)) {
    std::fill(values.begin(), values.end(), low);
    return;
  }
  const double scale = (double(high) - double(low)) / (hi - lo);
  for (float& v : values) v = static_cast<float>(double(low) + (double(v) - lo) * scale);
}

void normalize_z_score(std::span<float> values) {
  if (values.empty()) return;
  double sum = 0;
  for (float v : values) sum += v;
  const double mean = sum / double(values.size());
  double squares = 0;
  for (float v : values) squares += (double(v) - mean) * (double(v) - mean);
  const double sd = std::sqrt(squares / double(values.size()));
  const double inverse = sd > 0 ? 1.0 / sd : 0.0;
  for (float& v : values) v = static_cast<float>((double(v) - mean) * inverse);
}

void normalize_z_score_masked(std::span<float> values, std::span<const uint8_t> mask, float outside) {
  if (mask.size() != values.size()) {
    fail("normalize_z_score_masked: mask of " + std::to_string(mask.size()) + " voxels for " +
         std::to_string(values.size()) + " values");
  }
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (mask[i]) {
      sum += values[i];
      ++count;
    }
  }
  if (count == 0) fail("normalize_z_score_masked: the mask is empty");
  const double mean = sum / double(count);
  double squares = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (mask[i]) squares += (double(values[i]) - mean) * (double(values[i]) - mean);
  }
  const double sd = std::sqrt(squares / double(count));
  const double inverse = sd > 0 ? 1.0 / sd : 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = mask[i] ? static_cast<float>((double(values[i]) - mean) * inverse) : outside;
  }
}

void replicate_channels(const float* plane, size_t plane_size, int channels, float* destination) {
  if (channels < 1) fail("replicate_channels: channels must be positive");
  for (int c = 0; c < channels; ++c) std::copy(plane, plane + plane_size, destination + size_t(c) * plane_size);
}

std::vector<float> replicate_channels(std::span<const float> plane, int channels) {
  if (channels < 1) fail("replicate_channels: channels must be positive");
  std::vector<float> out(plane.size() * size_t(channels));
  replicate_channels(plane.data(), plane.size(), channels, out.data());
  return out;
}

}  // namespace medrepro::datasets
