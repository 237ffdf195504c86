// Volume and image transforms (resizing, depth resampling, crop/pad,
// normalisation, channel replication) and seeded augmentation applied alike to
// every slice and to label maps. CPU only.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/augment.h"
#include "datasets/batch.h"
#include "datasets/transforms.h"

namespace ds = medrepro::datasets;

namespace {

ds::Volume random_volume(int d, int h, int w, uint64_t seed) {
  ds::Volume v(d, h, w);
  ds::SplitMix64 rng(seed);
  for (float& x : v.data) x = static_cast<float>(rng.uniform() * 10.0 - 5.0);
  return v;
}

// The align_corners=false source position and its two taps, in double.
void taps(int in, int out, int o, int& a, int& b, double& w) {
  const double p = std::max((o + 0.5) * double(in) / double(out) - 0.5, 0.0);
  a = std::min(static_cast<int>(std::floor(p)), in - 1);
  b = std::min(a + 1, in - 1);
  w = p - a;
}

double reference_trilinear(const ds::Volume& v, int D, int H, int W, int z, int y, int x) {
  int z0, z1, y0, y1, x0, x1;
  double wz, wy, wx;
  taps(v.depth, D, z, z0, z1, wz);
  taps(v.height, H, y, y0, y1, wy);
  taps(v.width, W, x, x0, x1, wx);
  const auto at = [&](int zz, int yy, int xx) { return double(v.at(zz, yy, xx)); };
  const auto plane = [&](int zz) {
    const double top = at(zz, y0, x0) * (1 - wx) + at(zz, y0, x1) * wx;
    const double bottom = at(zz, y1, x0) * (1 - wx) + at(zz, y1, x1) * wx;
    return top * (1 - wy) + bottom * wy;
  };
  return plane(z0) * (1 - wz) + plane(z1) * wz;
}

std::string shape(int d, int h, int w) {
  std::string text = std::to_string(d);
  text += "x";
  text += std::to_string(h);
  text += "x";
  text += std::to_string(w);
  return text;
}

}  // namespace

TEST_CASE("trilinear resize matches a float64 reference (align_corners=false); same size is exact") {
  const ds::Volume v = random_volume(5, 7, 6, 1);
  for (const auto& [D, H, W] : {std::tuple{5, 7, 6}, std::tuple{10, 14, 12}, std::tuple{3, 4, 3}, std::tuple{24, 7, 6},
                                std::tuple{2, 9, 13}, std::tuple{1, 1, 1}}) {
    CAPTURE(shape(D, H, W));
    const ds::Volume out = ds::resize_trilinear(v, D, H, W);
    REQUIRE(out.size() == size_t(D) * size_t(H) * size_t(W));
    double worst = 0;
    for (int z = 0; z < D; ++z) {
      for (int y = 0; y < H; ++y) {
        for (int x = 0; x < W; ++x) {
          worst = std::max(worst, std::abs(double(out.at(z, y, x)) - reference_trilinear(v, D, H, W, z, y, x)));
        }
      }
    }
    CHECK(worst < 1e-5);
  }
  CHECK(ds::resize_trilinear(v, 5, 7, 6).data == v.data);
  // Spacing follows the physical extent.
  ds::Volume spaced = v;
  spaced.spacing = {1.0, 2.0, 3.0};
  const ds::Volume up = ds::resize_trilinear(spaced, 10, 14, 3);
  CHECK(up.spacing[0] == doctest::Approx(2.0));
  CHECK(up.spacing[1] == doctest::Approx(1.0));
  CHECK(up.spacing[2] == doctest::Approx(1.5));
  // Depth 1 agrees with the 2D bilinear resize of batch.h.
  const ds::Volume plane = random_volume(1, 9, 11, 2);
  std::vector<float> bilinear(5 * 7);
  ds::resize_bilinear(plane.data.data(), 9, 11, bilinear.data(), 5, 7);
  CHECK(ds::resize_trilinear(plane, 1, 5, 7).data == bilinear);
  CHECK_THROWS_AS(ds::resize_trilinear(v, 0, 2, 2), medrepro::Error);
}

TEST_CASE("resampling the slice count to 24 (Pereira): linear along depth only, in-plane pixels untouched") {
  for (int slices : {17, 24, 28, 61}) {
    CAPTURE(slices);
    ds::Volume v(slices, 3, 4);
    for (int z = 0; z < slices; ++z) {
      for (int i = 0; i < 12; ++i) v.data[size_t(z) * 12 + size_t(i)] = float(z) * 2.0f + float(i) * 100.0f;
    }
    const ds::Volume out = ds::resample_depth(v, 24);
    REQUIRE(out.depth == 24);
    REQUIRE(out.height == 3);
    REQUIRE(out.width == 4);
    for (int z = 0; z < 24; ++z) {
      // A linear function of z is reproduced at the sampled position (clamped at the ends).
      const double position = std::clamp((z + 0.5) * slices / 24.0 - 0.5, 0.0, double(slices - 1));
      for (int i = 0; i < 12; ++i) {
        CHECK(out.data[size_t(z) * 12 + size_t(i)] == doctest::Approx(position * 2.0 + i * 100.0).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("nearest-neighbour resize of label maps keeps label values") {
  ds::LabelVolume labels(2, 3, 4);
  for (size_t i = 0; i < labels.data.size(); ++i) labels.data[i] = static_cast<uint8_t>(i % 5);
  const ds::LabelVolume up = ds::resize_nearest(labels, 4, 6, 8);
  for (int z = 0; z < 4; ++z) {
    for (int y = 0; y < 6; ++y) {
      for (int x = 0; x < 8; ++x) CHECK(up.at(z, y, x) == labels.at(z / 2, y / 2, x / 2));
    }
  }
  const ds::LabelVolume down = ds::resize_nearest(up, 2, 3, 4);
  CHECK(down.data == labels.data);
  const ds::LabelVolume odd = ds::resize_nearest(labels, 1, 2, 3);
  // floor((o + 0.5) * in / out): rows 0.75 -> 0 and 2.25 -> 2; columns 0.67 -> 0, 2 -> 2, 3.33 -> 3; depth 1 -> 1.
  CHECK(odd.at(0, 0, 0) == labels.at(1, 0, 0));
  CHECK(odd.at(0, 1, 1) == labels.at(1, 2, 2));
  CHECK(odd.at(0, 1, 2) == labels.at(1, 2, 3));
}

TEST_CASE("crop and pad, centred or at a given offset, 2D and 3D") {
  ds::Volume v(1, 5, 5);
  std::iota(v.data.begin(), v.data.end(), 0.0f);
  const ds::Volume crop = ds::centre_crop_pad(v, 1, 3, 3);
  CHECK(crop.data == std::vector<float>{6, 7, 8, 11, 12, 13, 16, 17, 18});
  const ds::Volume pad = ds::centre_crop_pad(crop, 1, 5, 5, -1.0f);
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 5; ++x) {
      const bool inside = y >= 1 && y <= 3 && x >= 1 && x <= 3;
      CHECK(pad.at(0, y, x) == (inside ? v.at(0, y, x) : -1.0f));
    }
  }
  CHECK(ds::centre_start(4, 3) == 0);   // odd leftover cropped after
  CHECK(ds::centre_start(3, 4) == 0);   // odd leftover padded after
  CHECK(ds::centre_start(3, 5) == -1);
  CHECK(ds::centre_start(155, 128) == 13);
  // Offsets: negative pads before, beyond the end pads after; partly outside.
  const ds::Volume shifted = ds::crop_pad(v, 1, 2, 3, 0, -1, 3, 9.0f);
  CHECK(shifted.data == std::vector<float>{9, 9, 9, 3, 4, 9});
  const ds::Volume outside = ds::crop_pad(v, 2, 2, 2, 5, 0, 0, 7.0f);
  CHECK(outside.data == std::vector<float>(8, 7.0f));
  std::vector<float> flat(2 * 3);
  ds::crop_pad_2d(v.data.data(), 5, 5, flat.data(), 2, 3, -1, 3, 9.0f);
  CHECK(flat == shifted.data);
  // 3D with labels: the same geometry.
  ds::Volume volume(4, 4, 4);
  ds::LabelVolume labels(4, 4, 4);
  for (size_t i = 0; i < volume.data.size(); ++i) {
    volume.data[i] = float(i);
    labels.data[i] = static_cast<uint8_t>(i % 7);
  }
  const ds::Volume cv = ds::centre_crop_pad(volume, 2, 6, 3);
  const ds::LabelVolume cl = ds::centre_crop_pad(labels, 2, 6, 3);
  for (size_t i = 0; i < cv.data.size(); ++i) {
    if (cl.data[i] != 0 || cv.data[i] != 0.0f) CHECK(uint8_t(size_t(cv.data[i]) % 7) == cl.data[i]);
  }
  CHECK(cv.at(0, 1, 0) == volume.at(1, 0, 0));
}

TEST_CASE("intensity normalisation: min-max, z-score, z-score inside a mask; channel replication") {
  std::vector<float> values = {2, 4, 6, 10};
  ds::normalize_min_max(values);
  CHECK(values == std::vector<float>{0.0f, 0.25f, 0.5f, 1.0f});
  ds::normalize_min_max(values, -1.0f, 1.0f);
  CHECK(values == std::vector<float>{-1.0f, -0.5f, 0.0f, 1.0f});
  std::vector<float> constant(3, 5.0f);
  ds::normalize_min_max(constant);
  CHECK(constant == std::vector<float>(3, 0.0f));

  std::vector<float> z = {1, 2, 3, 4, 5};
  ds::normalize_z_score(z);
  double mean = 0, squares = 0;
  for (float v : z) mean += v;
  for (float v : z) squares += double(v) * v;
  CHECK(mean == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(squares / 5 == doctest::Approx(1.0));
  CHECK(z[0] == doctest::Approx(-2.0 / std::sqrt(2.0)));

  std::vector<float> masked = {100, 1, 2, 3, -50};
  const std::vector<uint8_t> mask = {0, 1, 1, 1, 0};
  ds::normalize_z_score_masked(masked, mask, -9.0f);
  CHECK(masked[0] == -9.0f);
  CHECK(masked[4] == -9.0f);
  CHECK(masked[1] == doctest::Approx(-std::sqrt(1.5)));
  CHECK(masked[2] == doctest::Approx(0.0));
  CHECK_THROWS_AS(ds::normalize_z_score_masked(masked, std::vector<uint8_t>(5, 0)), medrepro::Error);
  CHECK_THROWS_AS(ds::normalize_z_score_masked(masked, std::vector<uint8_t>(4, 1)), medrepro::Error);

  const std::vector<float> grey = {1, 2, 3, 4};
  CHECK(ds::replicate_channels(grey) == std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4});
  CHECK(ds::replicate_channels(grey, 1) == grey);
}

// --- augmentation -------------------------------------------------------------------

namespace {

// A non-symmetric test pattern: slice z is (z + 1) times the base plane.
ds::Volume pattern(int depth, int height, int width) {
  ds::Volume v(depth, height, width);
  for (int z = 0; z < depth; ++z) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) v.at(z, y, x) = float((z + 1) * (1 + x + 3 * y + (x * y) % 5));
    }
  }
  return v;
}

ds::LabelVolume threshold(const ds::Volume& v, float level) {
  ds::LabelVolume labels(v.depth, v.height, v.width);
  for (size_t i = 0; i < v.data.size(); ++i) labels.data[i] = v.data[i] > level ? 1 : 0;
  return labels;
}

}  // namespace

TEST_CASE("flips and quarter turns move pixels exactly, on every slice and on the label map alike") {
  const int n = 6;
  const ds::Volume v = pattern(3, n, n);
  ds::AugmentParams flip;
  flip.flip_x = true;
  ds::Volume flipped = v;
  ds::apply_augment(flip, flipped);
  for (int z = 0; z < 3; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) CHECK(flipped.at(z, y, x) == v.at(z, y, n - 1 - x));
    }
  }
  ds::AugmentParams turn;
  turn.quarter_turns = 1;  // clockwise: the right edge goes to the bottom
  ds::Volume turned = v;
  ds::apply_augment(turn, turned);
  for (int z = 0; z < 3; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) CHECK(turned.at(z, y, x) == v.at(z, n - 1 - x, y));
    }
  }
  CHECK(turned.at(0, n - 1, 2) == v.at(0, 3, n - 1));  // a right-edge pixel now on the bottom row
  for (int k = 0; k < 3; ++k) ds::apply_augment(turn, turned);
  CHECK(turned.data == v.data);  // four quarter turns
  ds::AugmentParams half;
  half.quarter_turns = 2;
  ds::AugmentParams both_flips;
  both_flips.flip_x = both_flips.flip_y = true;
  ds::Volume a = v, b = v;
  ds::apply_augment(half, a);
  ds::apply_augment(both_flips, b);
  CHECK(a.data == b.data);
  // The label map follows the image exactly.
  for (const ds::AugmentParams& params : {flip, turn, half, both_flips}) {
    ds::Volume image = v;
    ds::LabelVolume labels = threshold(v, 20.0f);
    ds::apply_augment(params, image);
    ds::apply_augment(params, labels);
    CHECK(threshold(image, 20.0f).data == labels.data);
  }
}

TEST_CASE("rotations, shifts and zooms: the same map on every slice; labels by nearest neighbour") {
  const ds::Volume v = pattern(4, 16, 12);
  ds::AugmentParams p;
  p.angle = 7.5;
  p.shift_x = 0.1;
  p.shift_y = -0.05;
  p.zoom = 1.15;
  p.flip_y = true;
  ds::Volume out = v;
  ds::apply_augment(p, out);
  // Bilinear sampling is linear, and slice z is (z + 1) x slice 0 (fill 0 scales too).
  for (int z = 1; z < 4; ++z) {
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 12; ++x) CHECK(out.at(z, y, x) == doctest::Approx(out.at(0, y, x) * float(z + 1)).epsilon(1e-5));
    }
  }
  CHECK(out.data != v.data);
  // Labels: nearest neighbour gives only existing values, agreeing with the image almost everywhere.
  ds::LabelVolume labels = threshold(v, 40.0f);
  ds::apply_augment(p, labels);
  const ds::LabelVolume from_image = threshold(out, 40.0f);
  size_t agree = 0;
  for (size_t i = 0; i < labels.data.size(); ++i) agree += labels.data[i] == from_image.data[i] ? 1 : 0;
  CHECK(double(agree) / double(labels.data.size()) > 0.9);
  // A shift of whole pixels is exact; the vacated border gets the fill value.
  ds::AugmentParams shift;
  shift.shift_x = 0.25;  // 3 of 12 columns
  shift.fill = -1.0f;
  ds::Volume shifted = v;
  ds::apply_augment(shift, shifted);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 12; ++x) CHECK(shifted.at(2, y, x) == (x < 3 ? -1.0f : v.at(2, y, x - 3)));
  }
  // A 90-degree small-angle rotation on a square plane agrees with the exact quarter turn.
  const ds::Volume square = pattern(1, 8, 8);
  ds::AugmentParams angle90;
  angle90.angle = 90.0;
  ds::AugmentParams quarter;
  quarter.quarter_turns = 1;
  ds::Volume r1 = square, r2 = square;
  ds::apply_augment(angle90, r1);
  ds::apply_augment(quarter, r2);
  for (size_t i = 0; i < r1.data.size(); ++i) CHECK(r1.data[i] == doctest::Approx(r2.data[i]).epsilon(1e-5));
  // Zoom keeps the centre; zoom 2 on an even plane doubles the pattern's scale about the centre.
  ds::AugmentParams zoom;
  zoom.zoom = 2.0;
  ds::Volume zoomed = square;
  ds::apply_augment(zoom, zoomed);
  // Output pixel 3 reads the input at 3.5 + (3 - 3.5) / 2 = 3.25 on both axes.
  const float expected = 0.5625f * square.at(0, 3, 3) + 0.1875f * square.at(0, 3, 4) + 0.1875f * square.at(0, 4, 3) +
                         0.0625f * square.at(0, 4, 4);
  CHECK(zoomed.at(0, 3, 3) == doctest::Approx(expected).epsilon(1e-5));
  CHECK_THROWS_AS([&] {
    ds::AugmentParams bad;
    bad.zoom = 0.0;
    ds::Volume copy = square;
    ds::apply_augment(bad, copy);
  }(), medrepro::Error);
}

TEST_CASE("gamma changes intensities only, keeping the range; labels untouched") {
  ds::Volume v = pattern(2, 5, 5);
  const auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
  const float low = *lo, high = *hi;
  ds::AugmentParams p;
  p.gamma = 2.0;
  ds::Volume out = v;
  ds::apply_augment(p, out);
  CHECK(*std::min_element(out.data.begin(), out.data.end()) == doctest::Approx(low));
  CHECK(*std::max_element(out.data.begin(), out.data.end()) == doctest::Approx(high));
  for (size_t i = 0; i < v.data.size(); ++i) {
    const double t = (double(v.data[i]) - low) / (high - low);
    CHECK(out.data[i] == doctest::Approx(low + (high - low) * t * t).epsilon(1e-5));
  }
  ds::LabelVolume labels = threshold(v, 30.0f);
  const std::vector<uint8_t> before = labels.data;
  ds::apply_augment(p, labels);
  CHECK(labels.data == before);
}

TEST_CASE("seeded sampling: reproducible, per-transform probabilities, Wong's one-of with p = 0.6") {
  ds::AugmentOptions options;
  options.flip_x = 0.5;
  options.rotate90 = 0.25;
  options.rotation = {0.3, -10.0, 10.0};
  options.shift = {0.2, -0.1, 0.1};
  options.zoom = {0.2, 0.9, 1.1};
  options.gamma = {0.4, 0.7, 1.5};
  ds::SplitMix64 a(42), b(42);
  size_t flips = 0, turns = 0, rotations = 0, gammas = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const ds::AugmentParams p = ds::sample_augment(options, a);
    const ds::AugmentParams q = ds::sample_augment(options, b);
    REQUIRE(p.flip_x == q.flip_x);
    REQUIRE(p.angle == q.angle);
    REQUIRE(p.gamma == q.gamma);
    REQUIRE(p.shift_x == q.shift_x);
    flips += p.flip_x;
    turns += p.quarter_turns != 0;
    rotations += p.angle != 0.0;
    gammas += p.gamma != 1.0;
    CHECK(std::abs(p.angle) <= 10.0);
    CHECK(p.zoom >= 0.9);
    CHECK(p.zoom <= 1.1);
    CHECK(!p.flip_y);
  }
  CHECK(double(flips) / draws == doctest::Approx(0.5).epsilon(0.05));
  CHECK(double(turns) / draws == doctest::Approx(0.25).epsilon(0.05));
  CHECK(double(rotations) / draws == doctest::Approx(0.3).epsilon(0.05));
  CHECK(double(gammas) / draws == doctest::Approx(0.4).epsilon(0.05));

  // Wong et al.: with probability 0.6 an image gets exactly one transform.
  ds::AugmentOptions wong = options;
  wong.one_of = 0.6;
  ds::SplitMix64 rng(7);
  size_t augmented = 0;
  for (int i = 0; i < draws; ++i) {
    const ds::AugmentParams p = ds::sample_augment(wong, rng);
    const int count = int(p.flip_x) + int(p.quarter_turns != 0) + int(p.angle != 0.0) +
                      int(p.shift_x != 0.0 || p.shift_y != 0.0) + int(p.zoom != 1.0) + int(p.gamma != 1.0);
    CHECK(count <= 1);
    augmented += count;
  }
  CHECK(double(augmented) / draws == doctest::Approx(0.6).epsilon(0.03));
  // Nothing enabled: never augmented.
  ds::AugmentOptions none;
  none.one_of = 0.6;
  ds::SplitMix64 quiet(1);
  for (int i = 0; i < 100; ++i) CHECK(!ds::sample_augment(none, quiet).any());
  // Different seeds, different draws.
  ds::SplitMix64 c(1), d(2);
  int differ = 0;
  for (int i = 0; i < 50; ++i) differ += ds::sample_augment(options, c).angle != ds::sample_augment(options, d).angle;
  CHECK(differ > 5);
}

TEST_CASE("bilinear resizing in steps of at most 2x: every source pixel counts when shrinking far") {
  const ds::Volume plane = random_volume(1, 224, 200, 5);
  // 224x200 -> 64x64: 224 -> 112 -> 64 and 200 -> 100 -> 64, each step batch.h's bilinear.
  std::vector<float> half(112 * 100), expected(64 * 64);
  ds::resize_bilinear(plane.data.data(), 224, 200, half.data(), 112, 100);
  ds::resize_bilinear(half.data(), 112, 100, expected.data(), 64, 64);
  CHECK(ds::resize_bilinear_in_steps(plane.data.data(), 224, 200, 64, 64) == expected);
  // Shrinking by 2x or less, or enlarging, is one bilinear step.
  std::vector<float> once(150 * 300);
  ds::resize_bilinear(plane.data.data(), 224, 200, once.data(), 150, 300);
  CHECK(ds::resize_bilinear_in_steps(plane.data.data(), 224, 200, 150, 300) == once);
  // An isolated bright pixel survives an 8x shrink (a single bilinear step can miss it entirely).
  std::vector<float> dot(64 * 64, 0.0f);
  dot[size_t(33) * 64 + 37] = 1.0f;
  std::vector<float> single(8 * 8);
  ds::resize_bilinear(dot.data(), 64, 64, single.data(), 8, 8);
  const std::vector<float> stepped = ds::resize_bilinear_in_steps(dot.data(), 64, 64, 8, 8);
  CHECK(*std::max_element(single.begin(), single.end()) == 0.0f);
  CHECK(*std::max_element(stepped.begin(), stepped.end()) > 0.0f);
}
