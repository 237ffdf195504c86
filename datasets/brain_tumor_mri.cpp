#include "datasets/brain_tumor_mri.h"

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "datasets/class_folders.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {
namespace {

constexpr const char* kWhere =
    "copy BrainTumorMRI.tar.gz from the project's shared/datasets folder, or download the Kaggle \"Brain Tumor MRI "
    "Dataset\" (https://www.kaggle.com/datasets/masoudnickparvar/brain-tumor-mri-dataset) and point the program at "
    "the folder holding Training/ and Testing/";

struct Located {
  std::filesystem::path source;
  std::string prefix;  // "BrainTumorMRI/" inside the archive, "" for a folder
};

Located locate(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return {path, "BrainTumorMRI/"};
  if (std::filesystem::is_directory(path, ec)) {
    if (std::filesystem::is_regular_file(path / "BrainTumorMRI.tar.gz", ec)) {
      return {path / "BrainTumorMRI.tar.gz", "BrainTumorMRI/"};
    }
    if (std::filesystem::is_directory(path / "Training", ec)) return {path, ""};
    if (std::filesystem::is_directory(path / "BrainTumorMRI" / "Training", ec)) return {path / "BrainTumorMRI", ""};
  }
  fail("BrainTumorMRI: data set not found: tried " + path.string() + " (as the archive, " +
       (path / "BrainTumorMRI.tar.gz").string() + ", and folders with Training/ and Testing/); " + kWhere);
}

}  // namespace

BrainTumorMri load_brain_tumor_mri(const std::filesystem::path& path, const BrainTumorMriOptions& options) {
  const Located located = locate(path);
  ClassFolderOptions part_options;
  part_options.dataset = "BrainTumorMRI";
  part_options.max_per_class = options.max_per_class;
  part_options.root = located.prefix + "Training";
  ImageSet train = load_class_folders(located.source, part_options);
  part_options.root = located.prefix + "Testing";
  ImageSet test = load_class_folders(located.source, part_options);
  if (train.class_names != test.class_names) {
    fail("BrainTumorMRI: " + located.source.string() + ": Training/ and Testing/ have different class folders");
  }
  if (train.height != test.height || train.width != test.width) {
    fail("BrainTumorMRI: " + located.source.string() + ": Training/ images are " + std::to_string(train.width) + "x" +
         std::to_string(train.height) + ", Testing/ images " + std::to_string(test.width) + "x" +
         std::to_string(test.height));
  }
  BrainTumorMri data;
  data.official_train = train.size();
  data.official_test = test.size();
  data.official_train_counts = train.class_counts;
  data.official_test_counts = test.class_counts;
  ImageSet& set = data.set;
  set = std::move(train);
  set.pixels.insert(set.pixels.end(), test.pixels.begin(), test.pixels.end());
  std::vector<uint8_t>().swap(test.pixels);
  set.labels.insert(set.labels.end(), test.labels.begin(), test.labels.end());
  for (std::string& file : set.files) file = "Training/" + file;
  for (const std::string& file : test.files) set.files.push_back("Testing/" + file);
  set.content_hashes.insert(set.content_hashes.end(), test.content_hashes.begin(), test.content_hashes.end());
  for (size_t c = 0; c < set.class_counts.size(); ++c) set.class_counts[c] += test.class_counts[c];
  for (size_t c = 0; c < set.available_counts.size() && c < test.available_counts.size(); ++c) {
    set.available_counts[c] += test.available_counts[c];
  }
  set.source = located.source;
  if (!located.prefix.empty()) {
    set.source_kind = "archive";  // train.sha256 is already the archive's
  } else {
    set.sha256 = sha256_hex("Training " + set.sha256 + "\nTesting " + test.sha256 + "\n");
  }
  data.in_official_test.assign(data.official_train, 0);
  data.in_official_test.resize(set.size(), 1);
  data.duplicate_groups = find_duplicate_groups(set.content_hashes);
  for (const std::vector<size_t>& group : data.duplicate_groups) {
    bool train_side = false, test_side = false;
    for (size_t index : group) (data.in_official_test[index] ? test_side : train_side) = true;
    if (train_side && test_side) data.crossing_groups.push_back(group);
  }
  return data;
}

Split brain_tumor_split(const BrainTumorMri& data, const BrainTumorSplitOptions& options) {
  const ImageSet& set = data.set;
  const size_t n = set.size();
  if (data.in_official_test.size() != n) fail("brain_tumor_split: inconsistent BrainTumorMri data");
  const bool dedupe = !options.keep_official;
  // Which items are kept, and in which official part.
  std::vector<uint8_t> keep(n, 1);
  size_t dropped = 0;
  if (dedupe) {
    for (const std::vector<size_t>& group : data.duplicate_groups) {
      // One representative: the lowest-index Testing member if any (test keeps its content), else the lowest.
      size_t representative = group.front();
      for (size_t index : group) {
        if (data.in_official_test[index]) {
          representative = index;
          break;
        }
      }
      for (size_t index : group) {
        if (index != representative) {
          keep[index] = 0;
          ++dropped;
        }
      }
    }
  }
  // Training side: items kept, with their duplicate groups (only non-empty when keeping copies).
  std::vector<size_t> train_items;
  std::vector<size_t> position(n, SIZE_MAX);
  Split split;
  for (size_t i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    if (data.in_official_test[i]) {
      split.test.push_back(i);
    } else {
      position[i] = train_items.size();
      train_items.push_back(i);
    }
  }
  std::vector<int> train_labels;
  for (size_t i : train_items) train_labels.push_back(set.labels[i]);
  std::vector<std::vector<size_t>> train_groups;
  for (const std::vector<size_t>& group : data.duplicate_groups) {
    std::vector<size_t> local;
    for (size_t index : group) {
      if (position[index] != SIZE_MAX) local.push_back(position[index]);
    }
    if (local.size() > 1) train_groups.push_back(std::move(local));
  }
  SplitOptions inner;
  inner.seed = options.seed;
  inner.val_fraction = options.val_fraction;
  inner.deduplicate = false;  // already done above; copies kept by keep_official stay together
  const Split train_split = stratified_split(train_labels, train_groups, inner);
  for (size_t local : train_split.train) split.train.push_back(train_items[local]);
  for (size_t local : train_split.val) split.val.push_back(train_items[local]);
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  split.seed = options.seed;
  split.val_fraction = options.val_fraction;
  split.deduplicate = dedupe;
  split.item_count = n;
  split.dropped_duplicates = dropped;
  split.tag = "BrainTumorMRI sha256=" + set.sha256 + (dedupe ? " deduplicated" : " official");
  check_split(split, n);
  return split;
}

}  // namespace medrepro::datasets
