#include "papers/wong_segmentation_features/brain_labels.h"

#include <string>

#include "core/error.h"

namespace medrepro::wong {
namespace {

// aseg ids per structure 1..16 (FreeSurfer's lookup table; left, right).
const std::vector<std::vector<int>>& structure_ids() {
  static const std::vector<std::vector<int>> ids{
      {3, 42},                              // cerebral grey matter (cortex)
      {2, 41, 77, 251, 252, 253, 254, 255},  // cerebral white matter, WM hypointensities, corpus callosum
      {8, 47},                              // cerebellar grey matter
      {7, 46},                              // cerebellar white matter
      {16},                                 // brainstem
      {4, 43, 31, 63},                      // lateral ventricle (with the choroid plexus inside it)
      {10, 49},                             // thalamus
      {11, 50},                             // caudate
      {12, 51},                             // putamen
      {13, 52},                             // pallidum
      {17, 53},                             // hippocampus
      {18, 54},                             // amygdala
      {26, 58},                             // accumbens
      {5, 44},                              // inferior lateral ventricle
      {14},                                 // 3rd ventricle
      {15},                                 // 4th ventricle
  };
  return ids;
}

// Background: outside the brain, CSF, ventral DC, vessels, 5th ventricle, non-WM
// hypointensities, optic chiasm: structures the paper does not label.
constexpr int kBackgroundIds[] = {0, 24, 28, 30, 60, 62, 72, 80, 85};

}  // namespace

const std::vector<std::string>& brain_structure_names() {
  static const std::vector<std::string> names{
      "background",       "cerebral grey",  "cerebral white", "cerebellar grey", "cerebellar white",
      "brainstem",        "lateral ventricle", "thalamus",    "caudate",         "putamen",
      "pallidum",         "hippocampus",    "amygdala",       "accumbens",       "inf. lateral ventricle",
      "3rd ventricle",    "4th ventricle"};
  return names;
}

datasets::LabelVolume aseg_to_structures(const datasets::LabelVolume& aseg) {
  std::array<int, 256> map;
  map.fill(-1);
  for (int id : kBackgroundIds) map[size_t(id)] = 0;
  for (size_t s = 0; s < structure_ids().size(); ++s) {
    for (int id : structure_ids()[s]) map[size_t(id)] = int(s) + 1;
  }
  datasets::LabelVolume out(aseg.depth, aseg.height, aseg.width);
  out.spacing = aseg.spacing;
  for (size_t i = 0; i < aseg.data.size(); ++i) {
    const int structure = map[aseg.data[i]];
    if (structure < 0) {
      fail("aseg label " + std::to_string(int(aseg.data[i])) +
           " is not in the FreeSurfer mapping of the Wong et al. analogue (papers/wong_segmentation_features/brain_labels.cpp)");
    }
    out.data[i] = uint8_t(structure);
  }
  return out;
}

std::vector<BrainSlice> brain_slices(const datasets::Volume& image, const datasets::LabelVolume& labels,
                                     double min_brain_fraction) {
  if (!labels.same_shape(image)) fail("brain_slices: image " + image.shape_text() + ", labels " + labels.shape_text());
  const std::array<int, 3> extent{image.depth, image.height, image.width};
  std::vector<BrainSlice> slices;
  for (int axis = 0; axis < 3; ++axis) {
    // The plane's rows and columns: the two other axes, in order.
    const int row_axis = axis == 0 ? 1 : 0, column_axis = axis == 2 ? 1 : 2;
    const int rows = extent[size_t(row_axis)], columns = extent[size_t(column_axis)];
    for (int index = 0; index < extent[size_t(axis)]; ++index) {
      BrainSlice slice{axis, index, datasets::Volume(1, rows, columns), datasets::LabelVolume(1, rows, columns), 0.0};
      size_t labelled = 0;
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c) {
          std::array<int, 3> at{};
          at[size_t(axis)] = index;
          at[size_t(row_axis)] = r;
          at[size_t(column_axis)] = c;
          slice.image.at(0, r, c) = image.at(at[0], at[1], at[2]);
          const uint8_t label = labels.at(at[0], at[1], at[2]);
          slice.labels.at(0, r, c) = label;
          labelled += label > 0;
        }
      }
      slice.brain_fraction = double(labelled) / double(size_t(rows) * size_t(columns));
      if (slice.brain_fraction >= min_brain_fraction) slices.push_back(std::move(slice));
    }
  }
  return slices;
}

}  // namespace medrepro::wong
