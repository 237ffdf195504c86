#include "datasets/augment.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.h"

namespace medrepro::datasets {
namespace {

double draw(const AugmentRange& range, SplitMix64& rng) { return range.low + (range.high - range.low) * rng.uniform(); }

// Source coordinates of every output pixel of a height x width plane, computed once per volume.
struct Mapping {
  std::vector<double> sx, sy;
};

double snap(double v) {
  const double r = std::nearbyint(v);
  return std::abs(v - r) < 1e-6 ? r : v;
}

Mapping inverse_map(const AugmentParams& p, int height, int width) {
  const double cx = (width - 1) * 0.5, cy = (height - 1) * 0.5;
  // Forward: out - c = S + R(theta) * zoom * F * (in - c); inverse: in = c + F * R(-theta) * (out - c - S) / zoom.
  const double theta = (p.quarter_turns * 90.0 + p.angle) * std::numbers::pi / 180.0;
  double cos_t = std::cos(theta), sin_t = std::sin(theta);
  if (p.angle == 0.0) {  // exact quarter turns
    const int k = ((p.quarter_turns % 4) + 4) % 4;
    cos_t = k == 0 ? 1 : k == 2 ? -1 : 0;
    sin_t = k == 1 ? 1 : k == 3 ? -1 : 0;
  }
  const double tx = p.shift_x * width, ty = p.shift_y * height;
  Mapping m;
  m.sx.resize(size_t(height) * size_t(width));
  m.sy.resize(m.sx.size());
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double dx = (x - cx - tx) / p.zoom, dy = (y - cy - ty) / p.zoom;
      // R(-theta) with y down: [cos, sin; -sin, cos]
      double ux = cos_t * dx + sin_t * dy;
      const double uy = -sin_t * dx + cos_t * dy;
      double vy = uy;
      if (p.flip_x) ux = -ux;
      if (p.flip_y) vy = -vy;
      const size_t i = size_t(y) * size_t(width) + size_t(x);
      m.sx[i] = snap(cx + ux);
      m.sy[i] = snap(cy + vy);
    }
  }
  return m;
}

void check(const AugmentParams& p, int depth, int height, int width) {
  if (depth <= 0 || height <= 0 || width <= 0) fail("apply_augment: sizes must be positive");
  if (!(p.zoom > 0.0) || !std::isfinite(p.zoom)) fail("apply_augment: zoom must be positive, got " + std::to_string(p.zoom));
  if (!(p.gamma > 0.0) || !std::isfinite(p.gamma)) fail("apply_augment: gamma must be positive, got " + std::to_string(p.gamma));
}

}  // namespace

bool AugmentParams::geometric() const {
  return flip_x || flip_y || quarter_turns % 4 != 0 || angle != 0.0 || shift_x != 0.0 || shift_y != 0.0 || zoom != 1.0;
}

AugmentParams sample_augment(const AugmentOptions& options, SplitMix64& rng) {
  AugmentParams p;
  p.fill = options.fill;
  enum Kind { kFlipX, kFlipY, kRot90, kRotation, kShift, kZoom, kGamma };
  const auto apply = [&](int kind) {
    switch (kind) {
      case kFlipX: p.flip_x = true; break;
      case kFlipY: p.flip_y = true; break;
      case kRot90: p.quarter_turns = 1 + static_cast<int>(rng.below(3)); break;
      case kRotation: p.angle = draw(options.rotation, rng); break;
      case kShift:
        p.shift_x = draw(options.shift, rng);
        p.shift_y = draw(options.shift, rng);
        break;
      case kZoom: p.zoom = draw(options.zoom, rng); break;
      case kGamma: p.gamma = draw(options.gamma, rng); break;
      default: break;
    }
  };
  const double probabilities[] = {options.flip_x,          options.flip_y,       options.rotate90,
                                  options.rotation.probability, options.shift.probability, options.zoom.probability,
                                  options.gamma.probability};
  if (options.one_of > 0.0) {
    std::vector<int> enabled;
    for (int kind = 0; kind < 7; ++kind) {
      if (probabilities[kind] > 0.0) enabled.push_back(kind);
    }
    if (!enabled.empty() && rng.uniform() < options.one_of) apply(enabled[rng.below(enabled.size())]);
    return p;
  }
  for (int kind = 0; kind < 7; ++kind) {
    if (probabilities[kind] > 0.0 && rng.uniform() < probabilities[kind]) apply(kind);
  }
  return p;
}

void apply_augment(const AugmentParams& params, float* voxels, int depth, int height, int width) {
  check(params, depth, height, width);
  const size_t plane = size_t(height) * size_t(width);
  if (params.geometric()) {
    const Mapping m = inverse_map(params, height, width);
    std::vector<float> source(plane);
    const float fill = params.fill;
    for (int z = 0; z < depth; ++z) {
      float* slice = voxels + size_t(z) * plane;
      std::copy(slice, slice + plane, source.begin());
      const auto at = [&](int y, int x) -> float {
        return x >= 0 && x < width && y >= 0 && y < height ? source[size_t(y) * size_t(width) + size_t(x)] : fill;
      };
      for (size_t i = 0; i < plane; ++i) {
        const double sx = m.sx[i], sy = m.sy[i];
        if (!(sx > -1.0 && sx < width && sy > -1.0 && sy < height)) {
          slice[i] = fill;
          continue;
        }
        const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
        const float fx = static_cast<float>(sx - x0), fy = static_cast<float>(sy - y0);
        if (fx == 0.0f && fy == 0.0f) {
          slice[i] = at(y0, x0);
          continue;
        }
        const float top = at(y0, x0) + fx * (at(y0, x0 + 1) - at(y0, x0));
        const float bottom = at(y0 + 1, x0) + fx * (at(y0 + 1, x0 + 1) - at(y0 + 1, x0));
        slice[i] = top + fy * (bottom - top);
      }
    }
  }
  if (params.gamma != 1.0) {
    const size_t n = plane * size_t(depth);
    const auto [lo_it, hi_it] = std::minmax_element(voxels, voxels + n);
    const double lo = *lo_it, hi = *hi_it;
    if (hi > lo) {
      for (size_t i = 0; i < n; ++i) {
        const double t = (double(voxels[i]) - lo) / (hi - lo);
        voxels[i] = static_cast<float>(lo + (hi - lo) * std::pow(t, params.gamma));
      }
    }
  }
}

void apply_augment(const AugmentParams& params, uint8_t* labels, int depth, int height, int width) {
  check(params, depth, height, width);
  if (!params.geometric()) return;
  const size_t plane = size_t(height) * size_t(width);
  const Mapping m = inverse_map(params, height, width);
  std::vector<uint8_t> source(plane);
  for (int z = 0; z < depth; ++z) {
    uint8_t* slice = labels + size_t(z) * plane;
    std::copy(slice, slice + plane, source.begin());
    for (size_t i = 0; i < plane; ++i) {
      const double fx = std::floor(m.sx[i] + 0.5), fy = std::floor(m.sy[i] + 0.5);
      slice[i] = fx >= 0 && fx < width && fy >= 0 && fy < height
                     ? source[size_t(fy) * size_t(width) + size_t(fx)]
                     : uint8_t(0);
    }
  }
}

void apply_augment(const AugmentParams& params, Volume& volume) {
  if (volume.data.size() != volume.size()) fail("apply_augment: the volume's data does not match its shape");
  apply_augment(params, volume.data.data(), volume.depth, volume.height, volume.width);
}

void apply_augment(const AugmentParams& params, LabelVolume& labels) {
  if (labels.data.size() != labels.size()) fail("apply_augment: the label map's data does not match its shape");
  apply_augment(params, labels.data.data(), labels.depth, labels.height, labels.width);
}

}  // namespace medrepro::datasets
