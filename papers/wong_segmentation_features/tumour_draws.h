#pragma once
// The classification task of the Wong et al. analogue on the Kaggle brain tumour
// MRI slices (deduplicated split): three classes, the paper's no tumour / LGG /
// glioblastoma read as no tumour / glioma / meningioma (nominal for the two
// tumour classes). As in the paper, the normals are fixed at 11 and the tumorous
// training samples vary, half glioma and half meningioma; each repetition
// re-draws with its seed a shuffled pool per class, whose prefixes are the
// training sets (a larger size contains the smaller ones), and a test set of the
// paper's mix (11 / 105 / 75 of the 191).
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/brain_tumor_mri.h"

namespace medrepro::wong {

inline constexpr int kTumourClasses = 3;  // 0 no tumour, 1 glioma, 2 meningioma
const std::vector<std::string>& tumour_class_names();

struct TumourCounts {
  size_t normals = 11;                  // training, fixed
  size_t largest_tumorous = 100;        // training, half per tumour class
  size_t test_normals = 11, test_glioma = 105, test_meningioma = 75;
};

struct TumourDraw {
  uint64_t seed = 0;
  std::vector<size_t> normals;        // training no-tumour items
  std::vector<size_t> glioma_pool;    // shuffled training items; prefixes are the training sets
  std::vector<size_t> meningioma_pool;
  std::vector<size_t> test;           // the paper-mix test set, in data set order
};

// The task's class (0..2) of a data set item, or -1 for the classes the task leaves out (pituitary).
int tumour_class(const datasets::BrainTumorMri& data, size_t item);

// Draws from the split's training items (pools) and test items (test set); fails, naming the
// class, when the split holds too few.
TumourDraw draw_tumour_repetition(const datasets::BrainTumorMri& data, const datasets::Split& split,
                                  const TumourCounts& counts, uint64_t seed);

// The training items of one size: the normals and the first tumorous / 2 of each tumour pool.
std::vector<size_t> tumour_training_items(const TumourDraw& draw, size_t tumorous);

}  // namespace medrepro::wong
