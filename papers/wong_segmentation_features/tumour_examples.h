#pragma once
// The tumour slices as classifier inputs, prepared like the segmentation slices
// (centred 224 canvas, shrunk in steps of at most 2x, CLAHE to [0, 1]), and the
// paper's augmentation.
#include <vector>

#include "datasets/augment.h"
#include "datasets/brain_tumor_mri.h"
#include "papers/common/examples.h"

namespace medrepro::wong {

// Rigid augmentation "with probability 0.6 within unstated ranges": rotation +-15
// degrees, shift +-10%, zoom 0.9-1.1, left-right flip, one of them per chosen image
// (the notes' reading of the paper's scheme).
datasets::AugmentOptions paper_augmentation();

// Examples [1, size, size] of `items` with their tumour classes (items of other classes are refused).
papers::ArrayExamples tumour_examples(const datasets::BrainTumorMri& data, const std::vector<size_t>& items, int size,
                                      const datasets::AugmentOptions& augment = {});

}  // namespace medrepro::wong
