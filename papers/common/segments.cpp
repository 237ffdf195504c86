#include "papers/common/segments.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/error.h"
#include "datasets/split.h"

namespace medrepro::papers {
namespace {

Extent3 case_extent(const SegmentationCase& c) {
  if (c.channels.empty()) fail("segmentation case " + c.id + " has no channels");
  const datasets::Volume& first = c.channels.front();
  for (const datasets::Volume& channel : c.channels) {
    if (!channel.same_shape(first)) fail("segmentation case " + c.id + ": channels differ in shape");
  }
  if (!c.labels.data.empty() && !c.labels.same_shape(first)) {
    fail("segmentation case " + c.id + ": labels " + c.labels.shape_text() + " but channels " + first.shape_text());
  }
  return {first.depth, first.height, first.width};
}

void check_fits(const SegmentationCase& c, const SegmentGeometry& geometry) {
  const Extent3 extent = case_extent(c);
  for (int axis = 0; axis < 3; ++axis) {
    if (geometry.output[axis] > extent[axis]) {
      fail("segmentation case " + c.id + " (" + c.channels.front().shape_text() + ") is smaller than the output window");
    }
  }
}

Shape batch_shape(size_t count, int64_t channels, const Extent3& window, bool volumetric) {
  Shape shape{int64_t(count)};
  if (channels > 0) shape.push_back(channels);
  if (volumetric) shape.push_back(window[0]);
  shape.push_back(window[1]);
  shape.push_back(window[2]);
  return shape;
}

// Window starts along one axis that cover [0, extent): every `window` voxels, the last ending at the edge.
std::vector<int> window_starts(int extent, int window) {
  std::vector<int> starts;
  for (int start = 0; start + window < extent; start += window) starts.push_back(start);
  starts.push_back(extent - window);
  return starts;
}

// Copies the window at `corner` (which may reach outside the grid: zeros there) into `out`.
template <typename T, typename U>
void copy_window(const datasets::Grid<T>& grid, const Extent3& corner, const Extent3& window, U* out) {
  for (int z = 0; z < window[0]; ++z) {
    for (int y = 0; y < window[1]; ++y) {
      for (int x = 0; x < window[2]; ++x) {
        const int gz = corner[0] + z, gy = corner[1] + y, gx = corner[2] + x;
        const bool inside = gz >= 0 && gy >= 0 && gx >= 0 && gz < grid.depth && gy < grid.height && gx < grid.width;
        *out++ = inside ? U(grid.at(gz, gy, gx)) : U(0);
      }
    }
  }
}

}  // namespace

void SegmentGeometry::check() const {
  for (int axis = 0; axis < 3; ++axis) {
    if (output[axis] < 1 || margin[axis] < 0) fail("segment geometry: empty output window or negative margin");
  }
  if (!volumetric && (output[0] != 1 || margin[0] != 0)) {
    fail("segment geometry: a 2D network's windows are single slices (output depth 1, margin depth 0)");
  }
}

std::vector<Segment> sample_segments(const std::vector<SegmentationCase>& all, const std::vector<size_t>& cases,
                                     const SegmentGeometry& geometry, size_t count, double foreground_fraction,
                                     uint64_t seed) {
  geometry.check();
  if (cases.empty()) fail("sample_segments: no cases to sample from");
  std::vector<std::vector<size_t>> foreground(cases.size());  // voxel indices of label > 0, per case
  for (size_t i = 0; i < cases.size(); ++i) {
    const SegmentationCase& c = all.at(cases[i]);
    check_fits(c, geometry);
    if (c.labels.data.empty()) fail("sample_segments: case " + c.id + " has no labels to train on");
    for (size_t v = 0; v < c.labels.data.size(); ++v) {
      if (c.labels.data[v] > 0) foreground[i].push_back(v);
    }
  }
  datasets::SplitMix64 rng(seed);
  std::vector<Segment> segments;
  for (size_t n = 0; n < count; ++n) {
    const size_t which = size_t(rng.below(cases.size()));
    const SegmentationCase& c = all[cases[which]];
    const Extent3 extent = case_extent(c);
    Segment segment{cases[which], {0, 0, 0}};
    if (rng.uniform() < foreground_fraction && !foreground[which].empty()) {
      const size_t voxel = foreground[which][size_t(rng.below(foreground[which].size()))];
      const Extent3 centre{int(voxel / c.labels.plane()), int(voxel % c.labels.plane()) / c.labels.width,
                           int(voxel % size_t(c.labels.width))};
      for (int axis = 0; axis < 3; ++axis) {
        segment.corner[axis] =
            std::clamp(centre[axis] - geometry.output[axis] / 2, 0, extent[axis] - geometry.output[axis]);
      }
    } else {
      for (int axis = 0; axis < 3; ++axis) {
        segment.corner[axis] = int(rng.below(uint64_t(extent[axis] - geometry.output[axis] + 1)));
      }
    }
    segments.push_back(segment);
  }
  return segments;
}

void extract_segments(const std::vector<SegmentationCase>& all, const std::vector<Segment>& segments,
                      const SegmentGeometry& geometry, std::vector<float>& inputs, std::vector<float>& labels,
                      const datasets::AugmentOptions& augment, uint64_t augment_seed) {
  geometry.check();
  const bool augmenting = augment_seed != 0;
  if (augmenting && geometry.margin != Extent3{0, 0, 0}) {
    fail("extract_segments: augmentation needs input and output windows that coincide (margin 0)");
  }
  const Extent3 in = geometry.input(), out = geometry.output;
  const size_t in_size = size_t(in[0]) * size_t(in[1]) * size_t(in[2]);
  const size_t out_size = size_t(out[0]) * size_t(out[1]) * size_t(out[2]);
  const size_t channels = segments.empty() ? 0 : all.at(segments[0].case_index).channels.size();
  inputs.assign(segments.size() * channels * in_size, 0.0f);
  labels.assign(segments.size() * out_size, 0.0f);
  std::vector<uint8_t> window_labels(out_size);
  for (size_t n = 0; n < segments.size(); ++n) {
    const SegmentationCase& c = all.at(segments[n].case_index);
    if (c.channels.size() != channels) fail("extract_segments: cases differ in their number of channels");
    if (c.labels.data.empty()) fail("extract_segments: case " + c.id + " has no labels");
    const Extent3& corner = segments[n].corner;
    const Extent3 input_corner{corner[0] - geometry.margin[0], corner[1] - geometry.margin[1],
                               corner[2] - geometry.margin[2]};
    float* input = inputs.data() + n * channels * in_size;
    for (size_t ch = 0; ch < channels; ++ch) copy_window(c.channels[ch], input_corner, in, input + ch * in_size);
    copy_window(c.labels, corner, out, window_labels.data());
    if (augmenting) {
      datasets::SplitMix64 rng(augment_seed * 0x9e3779b97f4a7c15ull + n + 1);
      const datasets::AugmentParams params = datasets::sample_augment(augment, rng);
      if (params.any()) {
        for (size_t ch = 0; ch < channels; ++ch) {
          datasets::apply_augment(params, input + ch * in_size, in[0], in[1], in[2]);
        }
        datasets::apply_augment(params, window_labels.data(), out[0], out[1], out[2]);
      }
    }
    std::copy(window_labels.begin(), window_labels.end(), labels.begin() + ptrdiff_t(n * out_size));
  }
}

datasets::LabelVolume predict_case(nn::Module& model, const SegmentationCase& segmentation_case,
                                   const SegmentGeometry& geometry, size_t windows_per_batch) {
  geometry.check();
  check_fits(segmentation_case, geometry);
  if (windows_per_batch == 0) fail("predict_case: windows_per_batch must be positive");
  const Extent3 extent = case_extent(segmentation_case);
  const Extent3 in = geometry.input(), out = geometry.output;
  std::vector<Extent3> corners;
  for (int z : window_starts(extent[0], out[0])) {
    for (int y : window_starts(extent[1], out[1])) {
      for (int x : window_starts(extent[2], out[2])) corners.push_back({z, y, x});
    }
  }
  const size_t channels = segmentation_case.channels.size();
  const size_t in_size = size_t(in[0]) * size_t(in[1]) * size_t(in[2]);
  const size_t out_size = size_t(out[0]) * size_t(out[1]) * size_t(out[2]);
  datasets::LabelVolume labels(extent[0], extent[1], extent[2]);
  labels.spacing = segmentation_case.channels.front().spacing;

  NoGradGuard no_grad;
  const bool was_training = model.training();
  model.eval();
  std::vector<float> inputs;
  for (size_t first = 0; first < corners.size(); first += windows_per_batch) {
    const size_t count = std::min(windows_per_batch, corners.size() - first);
    inputs.assign(count * channels * in_size, 0.0f);
    for (size_t n = 0; n < count; ++n) {
      const Extent3& corner = corners[first + n];
      const Extent3 input_corner{corner[0] - geometry.margin[0], corner[1] - geometry.margin[1],
                                 corner[2] - geometry.margin[2]};
      for (size_t ch = 0; ch < channels; ++ch) {
        copy_window(segmentation_case.channels[ch], input_corner, in, inputs.data() + (n * channels + ch) * in_size);
      }
    }
    const Tensor logits = model(Tensor::from_host(batch_shape(count, int64_t(channels), in, geometry.volumetric), inputs));
    const Shape expected = batch_shape(count, -1, out, geometry.volumetric);
    if (logits.shape().size() != expected.size() + 1 || logits.shape()[0] != int64_t(count) ||
        !std::equal(expected.begin() + 1, expected.end(), logits.shape().begin() + 2)) {
      fail("predict_case: the network returned " + to_string(logits.shape()) + " for output windows of " +
           std::to_string(out[0]) + "x" + std::to_string(out[1]) + "x" + std::to_string(out[2]) +
           " (depth x height x width); is the geometry's margin right?");
    }
    const size_t classes = size_t(logits.shape()[1]);
    const std::vector<float> scores = logits.to_host();
    for (size_t n = 0; n < count; ++n) {
      const Extent3& corner = corners[first + n];
      const float* window = scores.data() + n * classes * out_size;
      for (size_t v = 0; v < out_size; ++v) {
        size_t best = 0;
        for (size_t k = 1; k < classes; ++k) {
          if (window[k * out_size + v] > window[best * out_size + v]) best = k;
        }
        const int z = int(v / (size_t(out[1]) * size_t(out[2]))), y = int(v / size_t(out[2])) % out[1],
                  x = int(v % size_t(out[2]));
        labels.at(corner[0] + z, corner[1] + y, corner[2] + x) = uint8_t(best);
      }
    }
  }
  model.train(was_training);
  return labels;
}

}  // namespace medrepro::papers
