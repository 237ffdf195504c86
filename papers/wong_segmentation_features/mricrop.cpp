#include "papers/wong_segmentation_features/mricrop.h"

#include <string>

#include "core/error.h"
#include "papers/wong_segmentation_features/brain_labels.h"
#include "papers/wong_segmentation_features/preprocess.h"

namespace medrepro::wong {

datasets::LabelVolume mricrop_to_structures(const datasets::LabelVolume& seg) {
  // MRIcrop-seg.label: 1 vent-lat, 2 vent-3rd, 3 vent-4th, 4 hippo-R, 5 hippo-L, 6 vent-temp,
  // 7 caudates, 8 corpus-callosum.
  const int structure[9] = {0, 6, 15, 16, 11, 11, 14, 8, 0};
  datasets::LabelVolume out = seg;
  for (uint8_t& label : out.data) {
    if (label > 8) fail("MRIcrop label " + std::to_string(label) + " is not one of its files' labels 0..8");
    label = uint8_t(structure[label]);
  }
  return out;
}

const std::vector<int>& mricrop_structures() {
  static const std::vector<int> structures{6, 8, 11, 14, 15, 16};
  return structures;
}

CropSlices mricrop_slices(const datasets::Volume& t1, const datasets::LabelVolume& seg, int size) {
  if (!t1.same_shape(seg)) fail("MRIcrop: the image and its labels differ in shape");
  const datasets::Volume image = mricrop_to_voxelmorph_axes(t1);
  const datasets::LabelVolume labels = mricrop_to_voxelmorph_axes(mricrop_to_structures(seg));
  CropSlices out;
  for (const BrainSlice& slice : brain_slices(image, labels, 0.0)) {
    papers::SegmentationCase c;
    c.id = "mricrop_axis" + std::to_string(slice.axis) + "_slice" + std::to_string(slice.index);
    c.channels.push_back(prepare_image(slice.image, kSliceCanvas, size));
    c.labels = prepare_labels(slice.labels, kSliceCanvas, size);
    out.cases.push_back(std::move(c));
    out.inside.push_back(prepare_labels(datasets::LabelVolume(1, slice.labels.height, slice.labels.width, 1),
                                        kSliceCanvas, size));
  }
  return out;
}

}  // namespace medrepro::wong
