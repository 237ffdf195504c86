#pragma once
// Duplicate detection and deterministic, seeded, stratified train/val/test
// splits that never put copies of one image in two parts.
//
// The random numbers come from SplitMix64 with Fisher-Yates shuffling and
// rejection sampling written out here (not std::shuffle or <random>
// distributions, whose results differ between standard libraries), so a seed
// gives the same split on every platform and compiler.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "datasets/image.h"

namespace medrepro::datasets {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  uint64_t below(uint64_t bound);  // uniform in [0, bound), unbiased; bound must be > 0
  double uniform();                // uniform in [0, 1), 53 random bits

 private:
  uint64_t state_;
};

// Fisher-Yates: for i = n-1 down to 1, swap item i with item below(i + 1).
void shuffle(std::span<size_t> items, SplitMix64& rng);

// Groups of two or more items with equal hashes (each group sorted, groups in
// order of their first item). With 64-bit content hashes (ImageSet::content_hashes,
// or pixel_hashes()) an accidental collision among 10^5 items has probability ~1e-10.
std::vector<std::vector<size_t>> find_duplicate_groups(std::span<const uint64_t> hashes);

// First 64 bits of the SHA-256 of each image's decoded pixels (finds copies that
// were encoded differently, which the file-byte hashes miss).
std::vector<uint64_t> pixel_hashes(const ImageSet& set);

struct SplitOptions {
  uint64_t seed = 0;
  size_t test_per_class = 0;  // exactly this many test items per class
  double val_fraction = 0.0;  // of each class's items left after the test items, rounded to nearest
  bool deduplicate = true;    // keep one representative (the lowest index) per duplicate group;
                              // false keeps every copy, still all in one part
};

struct Split {
  std::vector<size_t> train, val, test;  // item indices, each sorted ascending
  // How it was made; saved with it.
  uint64_t seed = 0;
  size_t test_per_class = 0;
  double val_fraction = 0.0;
  bool deduplicate = true;
  size_t item_count = 0;          // size of the data set the indices refer to
  size_t dropped_duplicates = 0;  // copies left out by deduplication
  std::string tag;                // free text, one line: e.g. "MedNIST sha256=..."
};

// Per class (in increasing label order): shuffle the class's units (single items
// and duplicate groups, in order of their lowest index) with one SplitMix64
// stream seeded by options.seed, take units for test until exactly
// test_per_class items, then for validation until round(val_fraction * rest),
// skipping a unit that would overshoot; the rest is training. Errors: labels
// < 0, a group with an index out of range, in two groups, or spanning two
// classes; a class too small for its test items.
Split stratified_split(std::span<const int> labels, const std::vector<std::vector<size_t>>& duplicate_groups,
                       const SplitOptions& options);

// A small text file: a header of "key value" lines, then "train N", "val N",
// "test N" each followed by N indices, one per line.
void save_split(const std::filesystem::path& path, const Split& split);
Split load_split(const std::filesystem::path& path);

// Error unless the split indexes a data set of item_count items with no index
// out of range or in two parts, and (if tag is not empty) carries that tag.
void check_split(const Split& split, size_t item_count, const std::string& tag = "");

}  // namespace medrepro::datasets
