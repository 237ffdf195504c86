#pragma once
// The notes' independent Dice check: ITK-SNAP's MRIcrop (../shared/datasets/
// itksnap_mricrop), another subject's T1 crop (78 x 110 x 64 mm) with manual
// labels of six of the paper's structures. Its axes run x right->left, y
// anterior->posterior, z inferior->superior; the voxelmorph scan's x
// right->left, y superior->inferior, z posterior->anterior; so the crop is
// turned into the voxelmorph order, sliced along the three axes and prepared
// as the training slices are (centred 224 mm canvas, both at 1 mm per voxel).
// Only pixels inside the crop are scored: the canvas around it has no labels.
#include <vector>

#include "datasets/volume.h"
#include "papers/common/segments.h"

namespace medrepro::wong {

// MRIcrop's labels as the paper's structures (brain_structure_names()): lateral
// ventricle, 3rd and 4th ventricles, hippocampus (right and left), inferior lateral
// ventricle (the temporal horns), caudate; the corpus callosum, which the mapping
// of the aseg folds into cerebral white matter, is not scored (0).
datasets::LabelVolume mricrop_to_structures(const datasets::LabelVolume& seg);
// The structures the crop labels, as structure indices.
const std::vector<int>& mricrop_structures();

// A grid in MRIcrop's axis order (depth z, height y, width x) in the voxelmorph scan's.
template <typename T>
datasets::Grid<T> mricrop_to_voxelmorph_axes(const datasets::Grid<T>& crop) {
  datasets::Grid<T> out(crop.height, crop.depth, crop.width);  // depth: y reversed; height: z reversed
  for (int d = 0; d < out.depth; ++d) {
    for (int h = 0; h < out.height; ++h) {
      for (int w = 0; w < out.width; ++w) out.at(d, h, w) = crop.at(crop.depth - 1 - h, crop.height - 1 - d, w);
    }
  }
  return out;
}

struct CropSlices {
  std::vector<papers::SegmentationCase> cases;  // every plane along the three axes, prepared at size x size
  std::vector<datasets::LabelVolume> inside;    // per case: 1 where the pixel lies inside the crop
};
CropSlices mricrop_slices(const datasets::Volume& t1, const datasets::LabelVolume& seg, int size);

}  // namespace medrepro::wong
