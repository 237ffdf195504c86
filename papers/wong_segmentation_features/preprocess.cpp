#include "papers/wong_segmentation_features/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "datasets/batch.h"
#include "datasets/transforms.h"

namespace medrepro::wong {
namespace {

void check_plane(int depth, int height, int width, int canvas, int size) {
  if (depth != 1) fail("prepare: one plane expected, got depth " + std::to_string(depth));
  if (height > canvas || width > canvas) {
    fail("prepare: a " + std::to_string(height) + " x " + std::to_string(width) + " plane exceeds the " +
         std::to_string(canvas) + " canvas");
  }
  if (size < 1 || size > canvas) fail("prepare: output size " + std::to_string(size) + " outside 1.." + std::to_string(canvas));
}

}  // namespace

datasets::Volume prepare_image(const datasets::Volume& plane, int canvas, int size, const datasets::ClaheOptions& clahe) {
  check_plane(plane.depth, plane.height, plane.width, canvas, size);
  const datasets::Volume square = datasets::centre_crop_pad(plane, 1, canvas, canvas);
  datasets::Volume current(1, size, size);
  current.data = datasets::resize_bilinear_in_steps(square.data.data(), canvas, canvas, size, size);
  datasets::clahe_plane(current.data.data(), size, size, clahe);
  return current;
}

datasets::LabelVolume prepare_labels(const datasets::LabelVolume& plane, int canvas, int size) {
  check_plane(plane.depth, plane.height, plane.width, canvas, size);
  return datasets::resize_nearest(datasets::centre_crop_pad(plane, 1, canvas, canvas), 1, size, size);
}

SlabSplit held_out_slabs(const std::vector<BrainSlice>& slices, double fraction, int gap) {
  if (!(fraction > 0 && fraction < 1) || gap < 0) fail("held_out_slabs: fraction in (0, 1) and gap >= 0");
  SlabSplit split;
  std::vector<size_t> train;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<size_t> along;  // this axis's slices, by position
    for (size_t i = 0; i < slices.size(); ++i) {
      if (slices[i].axis == axis) along.push_back(i);
    }
    std::sort(along.begin(), along.end(), [&](size_t a, size_t b) { return slices[a].index < slices[b].index; });
    if (along.empty()) continue;
    const size_t count = std::max<size_t>(1, size_t(std::lround(fraction * double(along.size()))));
    const size_t first = (along.size() - count) / 2;
    const int low = slices[along[first]].index, high = slices[along[first + count - 1]].index;
    for (size_t i : along) {
      const int index = slices[i].index;
      if (index >= low && index <= high) split.held_out.push_back(i);
      else if (index < low - gap || index > high + gap) split.train.push_back(i);
    }
  }
  return split;
}

}  // namespace medrepro::wong
