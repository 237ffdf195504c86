#include "datasets/batch.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace medrepro::datasets {
namespace {


template <typename T>
void resize(const T* source, int source_height, int source_width, float* destination, int height, int width) {
  if (source_height <= 0 || source_width <= 0 || height <= 0 || width <= 0) {
    fail("resize_bilinear: sizes must be positive (" + std::to_string(source_height) + "x" +
         std::to_string(source_width) + " -> " + std::to_string(height) + "x" + std::to_string(width) + ")");
  }
  const std::vector<LinearTap> rows = linear_taps(source_height, height);
  const std::vector<LinearTap> columns = linear_taps(source_width, width);
  for (int y = 0; y < height; ++y) {
    const LinearTap& r = rows[size_t(y)];
    const T* top = source + size_t(r.first) * size_t(source_width);
    const T* bottom = source + size_t(r.second) * size_t(source_width);
    float* out = destination + size_t(y) * size_t(width);
    for (int x = 0; x < width; ++x) {
      const LinearTap& c = columns[size_t(x)];
      const float upper = float(top[c.first]) + c.weight * (float(top[c.second]) - float(top[c.first]));
      const float lower = float(bottom[c.first]) + c.weight * (float(bottom[c.second]) - float(bottom[c.first]));
      out[x] = upper + r.weight * (lower - upper);
    }
  }
}

}  // namespace

std::vector<LinearTap> linear_taps(int in, int out) {
  std::vector<LinearTap> taps(static_cast<size_t>(out));
  const double scale = double(in) / double(out);
  for (int o = 0; o < out; ++o) {
    const double position = std::max((o + 0.5) * scale - 0.5, 0.0);
    const int first = std::min(static_cast<int>(position), in - 1);
    const int second = std::min(first + 1, in - 1);
    taps[size_t(o)] = {first, second, static_cast<float>(position - first)};
  }
  return taps;
}

void resize_bilinear(const float* source, int source_height, int source_width, float* destination, int height,
                     int width) {
  resize(source, source_height, source_width, destination, height, width);
}

void resize_bilinear(const uint8_t* source, int source_height, int source_width, float* destination, int height,
                     int width) {
  resize(source, source_height, source_width, destination, height, width);
}

std::vector<float> resize_bilinear_in_steps(const float* source, int source_height, int source_width, int height,
                                            int width) {
  std::vector<float> current(source, source + size_t(source_height) * size_t(source_width));
  int current_height = source_height, current_width = source_width;
  do {
    const int next_height = std::max(height, (current_height + 1) / 2);
    const int next_width = std::max(width, (current_width + 1) / 2);
    std::vector<float> smaller(size_t(next_height) * size_t(next_width));
    resize_bilinear(current.data(), current_height, current_width, smaller.data(), next_height, next_width);
    current = std::move(smaller);
    current_height = next_height;
    current_width = next_width;
  } while (current_height != height || current_width != width);
  return current;
}

void make_batch(const ImageSet& set, std::span<const size_t> indices, const BatchOptions& options,
                std::vector<float>& images, std::vector<float>& labels) {
  if (options.std == 0.0f) fail("make_batch: std must not be 0");
  const int height = options.height > 0 ? options.height : set.height;
  const int width = options.width > 0 ? options.width : set.width;
  const size_t plane = size_t(height) * size_t(width);
  const bool same_size = height == set.height && width == set.width;
  images.resize(indices.size() * plane);
  labels.resize(indices.size());
  // value = (p / 255 - mean) / std = p * gain + offset
  const float gain = 1.0f / (255.0f * options.std);
  const float offset = -options.mean / options.std;
  for (size_t b = 0; b < indices.size(); ++b) {
    const size_t index = indices[b];
    if (index >= set.size()) {
      fail("make_batch: index " + std::to_string(index) + " out of range for " + std::to_string(set.size()) +
           " images");
    }
    float* out = images.data() + b * plane;
    const uint8_t* pixels = set.image(index);
    if (same_size) {
      for (size_t i = 0; i < plane; ++i) out[i] = float(pixels[i]) * gain + offset;
    } else {
      resize_bilinear(pixels, set.height, set.width, out, height, width);
      for (size_t i = 0; i < plane; ++i) out[i] = out[i] * gain + offset;
    }
    labels[b] = float(set.labels[index]);
  }
}

}  // namespace medrepro::datasets
