// Windows for dense segmentation (papers/common/segments.h): sampling, extraction
// with zero padding, and tiled inference that labels a case exactly as one forward
// pass over the whole (zero-padded) case would.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/autograd.h"
#include "core/nn/layers.h"
#include "core/nn/volumetric_layers.h"
#include "papers/common/segments.h"
#include "testing.h"

namespace nn = medrepro::nn;
namespace papers = medrepro::papers;
using medrepro::Tensor;
using medrepro::datasets::LabelVolume;
using medrepro::datasets::Volume;

namespace {

Volume ramp(int depth, int height, int width, float offset) {
  Volume v(depth, height, width);
  for (size_t i = 0; i < v.data.size(); ++i) v.data[i] = offset + float(i);
  return v;
}

papers::SegmentationCase noisy_case(int depth, int height, int width, int channels, uint32_t seed) {
  papers::SegmentationCase c;
  c.id = "case" + std::to_string(seed);
  for (int ch = 0; ch < channels; ++ch) {
    Volume v(depth, height, width);
    v.data = testing::random_values(v.size(), seed + uint32_t(ch));
    c.channels.push_back(v);
  }
  c.labels = LabelVolume(depth, height, width);
  return c;
}

// argmax over channels of logits [K, D, H, W] (batch 1), per voxel.
std::vector<uint8_t> argmax_channels(const std::vector<float>& logits, size_t classes) {
  const size_t voxels = logits.size() / classes;
  std::vector<uint8_t> labels(voxels);
  for (size_t v = 0; v < voxels; ++v) {
    size_t best = 0;
    for (size_t k = 1; k < classes; ++k) {
      if (logits[k * voxels + v] > logits[best * voxels + v]) best = k;
    }
    labels[v] = uint8_t(best);
  }
  return labels;
}

// The channels of a case padded by `margin` zeros on every side, as one input [1, C, (D,) H, W].
Tensor padded_whole_case(const papers::SegmentationCase& c, const papers::Extent3& margin, bool volumetric) {
  const Volume& first = c.channels.front();
  const int d = first.depth + 2 * margin[0], h = first.height + 2 * margin[1], w = first.width + 2 * margin[2];
  std::vector<float> values;
  for (const Volume& channel : c.channels) {
    for (int z = 0; z < d; ++z) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          const int sz = z - margin[0], sy = y - margin[1], sx = x - margin[2];
          const bool inside = sz >= 0 && sy >= 0 && sx >= 0 && sz < first.depth && sy < first.height && sx < first.width;
          values.push_back(inside ? channel.at(sz, sy, sx) : 0.0f);
        }
      }
    }
  }
  medrepro::Shape shape{1, int64_t(c.channels.size())};
  if (volumetric) shape.push_back(d);
  shape.push_back(h);
  shape.push_back(w);
  return Tensor::from_host(shape, values);
}

}  // namespace

TEST_CASE("sampled windows lie inside their cases, repeat with the seed, and find the labelled voxels") {
  std::vector<papers::SegmentationCase> cases{noisy_case(3, 11, 13, 1, 1), noisy_case(5, 7, 9, 1, 2)};
  cases[0].labels.at(2, 10, 0) = 1;  // one labelled voxel, in a corner
  cases[1].labels.at(4, 3, 8) = 2;
  papers::SegmentGeometry geometry;
  geometry.output = {2, 4, 5};
  const auto windows = papers::sample_segments(cases, {0, 1}, geometry, 200, 1.0, 42);
  CHECK(windows == papers::sample_segments(cases, {0, 1}, geometry, 200, 1.0, 42));
  CHECK_FALSE(windows == papers::sample_segments(cases, {0, 1}, geometry, 200, 1.0, 43));
  size_t from_first = 0;
  for (const papers::Segment& s : windows) {
    const papers::SegmentationCase& c = cases[s.case_index];
    from_first += s.case_index == 0;
    CHECK(s.corner[0] + 2 <= c.labels.depth);
    CHECK(s.corner[1] + 4 <= c.labels.height);
    CHECK(s.corner[2] + 5 <= c.labels.width);
    bool labelled = false;  // foreground fraction 1: every window holds its case's labelled voxel
    for (int z = 0; z < 2; ++z) {
      for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 5; ++x) labelled = labelled || c.labels.at(s.corner[0] + z, s.corner[1] + y, s.corner[2] + x) > 0;
      }
    }
    CHECK(labelled);
  }
  CHECK(from_first > 70);  // both cases drawn, about evenly
  CHECK(from_first < 130);
  geometry.output = {6, 4, 5};
  CHECK_THROWS_WITH_AS(papers::sample_segments(cases, {1}, geometry, 1, 0.5, 1),
                       doctest::Contains("smaller than the output window"), medrepro::Error);
  geometry.volumetric = false;
  CHECK_THROWS_WITH_AS(papers::sample_segments(cases, {1}, geometry, 1, 0.5, 1), doctest::Contains("single slices"),
                       medrepro::Error);
}

TEST_CASE("extracted windows: channels in order, zeros beyond the case, labels of the output window") {
  papers::SegmentationCase c;
  c.id = "ramp";
  c.channels = {ramp(2, 3, 4, 0.0f), ramp(2, 3, 4, 100.0f)};
  c.labels = LabelVolume(2, 3, 4);
  for (size_t i = 0; i < c.labels.data.size(); ++i) c.labels.data[i] = uint8_t(i % 3);
  papers::SegmentGeometry geometry;
  geometry.output = {1, 2, 2};
  geometry.margin = {0, 1, 1};
  std::vector<float> inputs, labels;
  papers::extract_segments({c}, {{0, {1, 0, 2}}}, geometry, inputs, labels);
  // Input window: slice 1, rows -1..2, columns 1..4 of each channel.
  REQUIRE(inputs.size() == 2 * 4 * 4);
  const std::vector<float> first_channel{0, 0, 0, 0, 13, 14, 15, 0, 17, 18, 19, 0, 21, 22, 23, 0};
  CHECK(std::equal(first_channel.begin(), first_channel.end(), inputs.begin()));
  CHECK(inputs[16 + 4] == 113.0f);
  CHECK(inputs[16 + 0] == 0.0f);
  // Output window: slice 1, rows 0..1, columns 2..3.
  CHECK(labels == std::vector<float>{float(14 % 3), float(15 % 3), float(18 % 3), float(19 % 3)});

  medrepro::datasets::AugmentOptions mirror;
  mirror.flip_x = 1.0;
  CHECK_THROWS_WITH_AS(papers::extract_segments({c}, {{0, {1, 0, 2}}}, geometry, inputs, labels, mirror, 3),
                       doctest::Contains("margin 0"), medrepro::Error);
  geometry.margin = {0, 0, 0};
  papers::extract_segments({c}, {{0, {0, 1, 0}}}, geometry, inputs, labels, mirror, 3);
  CHECK(std::vector<float>(inputs.begin(), inputs.begin() + 4) == std::vector<float>{5, 4, 9, 8});  // mirrored
  CHECK(labels == std::vector<float>{float(5 % 3), float(4 % 3), float(9 % 3), float(8 % 3)});  // alike
}

TEST_CASE("tiled inference equals one forward pass over the padded case, in 2D and 3D") {
  SUBCASE("2D, valid 3x3 convolutions: margin 1, tiles that do not divide the slice") {
    nn::Sequential net;
    net.emplace<nn::Conv2d>(2, 5, 3, 1, 0, nn::WeightInit::he(), 3);
    net.emplace<nn::ReLU>();
    net.emplace<nn::Conv2d>(5, 3, 1, 1, 0, nn::WeightInit::he(), 4);
    const papers::SegmentationCase c = noisy_case(1, 9, 11, 2, 7);
    papers::SegmentGeometry geometry;
    geometry.volumetric = false;
    geometry.output = {1, 4, 5};
    geometry.margin = {0, 1, 1};
    const LabelVolume tiled = papers::predict_case(net, c, geometry, 3);
    medrepro::NoGradGuard no_grad;
    const Tensor whole = net(padded_whole_case(c, geometry.margin, false));
    CHECK(whole.shape() == medrepro::Shape{1, 3, 9, 11});
    CHECK(tiled.data == argmax_channels(whole.to_host(), 3));
    CHECK(std::count(tiled.data.begin(), tiled.data.end(), 0) < 99);  // not one class everywhere

    geometry.margin = {0, 0, 0};
    CHECK_THROWS_WITH_AS(papers::predict_case(net, c, geometry), doctest::Contains("margin right"), medrepro::Error);
  }
  SUBCASE("3D, valid 3x3x3 convolutions: margin 1 on every axis") {
    nn::Sequential net;
    net.emplace<nn::Conv3d>(1, 4, 3, 1, 0, nn::WeightInit::he(), 5);
    net.emplace<nn::ReLU>();
    net.emplace<nn::Conv3d>(4, 2, 1, 1, 0, nn::WeightInit::he(), 6);
    const papers::SegmentationCase c = noisy_case(5, 7, 4, 1, 8);
    papers::SegmentGeometry geometry;
    geometry.output = {2, 3, 3};
    geometry.margin = {1, 1, 1};
    const LabelVolume tiled = papers::predict_case(net, c, geometry, 4);
    medrepro::NoGradGuard no_grad;
    CHECK(tiled.data == argmax_channels(net(padded_whole_case(c, geometry.margin, true)).to_host(), 2));
  }
}
