#pragma once
// Kaggle "Brain Tumor MRI Dataset" (M. Nickparvar) as in the project's
// shared/datasets/BrainTumorMRI.tar.gz: BrainTumorMRI/{Training,Testing}/
// {glioma,meningioma,notumor,pituitary}/*.jpg, 224x224, read as 8-bit grey.
//
// The official split leaks: byte-identical images sit on both sides of it
// (189 duplicate groups cross it in the shared copy). brain_tumor_split()
// deduplicates by default and can keep the official split with a flag.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image.h"
#include "datasets/split.h"

namespace medrepro::datasets {

inline constexpr const char* kBrainTumorMriSha256 = "a9dde1619bd2850261da987a4cbf2dffe3d06e0b6429d51998b70d727347d0a4";

struct BrainTumorMri {
  // Training images first (ImageSet::files "Training/<class>/<file>"), then Testing ("Testing/..."); labels
  // index class_names (glioma, meningioma, notumor, pituitary). set.sha256: of the archive (or folder manifests).
  ImageSet set;
  std::vector<uint8_t> in_official_test;  // per item: 1 if it comes from Testing/
  size_t official_train = 0, official_test = 0;
  std::vector<size_t> official_train_counts, official_test_counts;  // per class
  // Groups of byte-identical files (content_hashes), and those with members on both sides of the official split.
  std::vector<std::vector<size_t>> duplicate_groups;
  std::vector<std::vector<size_t>> crossing_groups;
};

struct BrainTumorMriOptions {
  size_t max_per_class = 0;  // per class and per official part: the first K files by name; 0 = all
};

// `path`: BrainTumorMRI.tar.gz, an extracted BrainTumorMRI folder (holding
// Training/ and Testing/), or a folder holding either. Error if not found
// (saying where to get it), or if the two parts differ in classes or image size.
BrainTumorMri load_brain_tumor_mri(const std::filesystem::path& path, const BrainTumorMriOptions& options = {});

struct BrainTumorSplitOptions {
  bool keep_official = false;  // true: train = Training/, test = Testing/, duplicates and all
  double val_fraction = 0.0;   // of each class's training items, drawn with `seed` (stratified_split rules)
  uint64_t seed = 0;
};

// Default (deduplicated): test = the official Testing images, one per duplicate
// group; train = the Training images that have no copy in Testing, one per
// duplicate group; so no image content is on two sides. Split::dropped_duplicates
// counts the items left out; Split::tag names the archive hash and the mode.
Split brain_tumor_split(const BrainTumorMri& data, const BrainTumorSplitOptions& options = {});

}  // namespace medrepro::datasets
