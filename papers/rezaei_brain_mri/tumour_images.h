#pragma once
// BrainTumorMRI as the classification part sees it: which images train, validate
// and test, each image as the network's input, and how close the test images come
// to training images (the data set has no patient IDs, so slices of one patient
// may sit on both sides of any split).
#include <cstdint>
#include <vector>

#include "datasets/augment.h"
#include "datasets/brain_tumor_mri.h"
#include "papers/common/examples.h"

namespace rezaei {

inline constexpr uint64_t kDataSeed = 2017;  // the draw of the training pool, the same for every run

struct ClassificationSplit {
  std::vector<size_t> train, val, test;  // item indices of the data set
};

// Test: the deduplicated official test set (datasets::brain_tumor_split). Training
// and validation: per class, drawn from the deduplicated training images with
// kDataSeed: `train_per_class` and `val_per_class` of them, or (both 0) all of them
// with a tenth of each class for validation. Error if a class has too few.
ClassificationSplit classification_split(const medrepro::datasets::BrainTumorMri& data,
                                         const medrepro::datasets::Split& deduplicated, size_t train_per_class,
                                         size_t val_per_class);

// One image as a size x size plane of values in [0, 1], shrunk bilinearly in steps of
// at most 2x (datasets::resize_bilinear_in_steps).
std::vector<float> network_image(const medrepro::datasets::ImageSet& set, size_t item, int size);

// The mean of network_image over `items`: subtracted from every input.
float mean_intensity(const medrepro::datasets::ImageSet& set, const std::vector<size_t>& items, int size);

// The notes' augmentation: left-right flips, gamma and zoom, drawn per image.
medrepro::datasets::AugmentOptions classification_augmentation();

// Examples [1, size, size] of `items` (local index i is items[i]) minus `mean`, with
// their 4-way labels.
medrepro::papers::ArrayExamples classification_examples(const medrepro::datasets::ImageSet& set,
                                                        const std::vector<size_t>& items, int size, float mean,
                                                        const medrepro::datasets::AugmentOptions& augment);

// Test images whose nearest training image (16x16 block means, mean absolute
// difference in grey levels) lies within each threshold: near-twins that byte
// deduplication does not catch.
struct NearTwins {
  std::vector<double> thresholds;   // grey levels (0..255)
  std::vector<size_t> test_images;  // per threshold
  size_t test_total = 0, train_total = 0;
};
NearTwins count_near_twins(const medrepro::datasets::ImageSet& set, const std::vector<size_t>& test,
                           const std::vector<size_t>& train, const std::vector<double>& thresholds);

}  // namespace rezaei
