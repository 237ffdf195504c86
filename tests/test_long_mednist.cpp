// All of MedNIST, one pass over the real archive: counts per class, the 348
// groups of byte-identical images the data README lists, and a full
// duplicate-aware split. Labelled "long" (a few seconds); skipped with a
// message when $MEDREPRO_SHARED/datasets/MedNIST.tar.gz is absent.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/mednist.h"
#include "datasets/split.h"

namespace ds = medrepro::datasets;
namespace fs = std::filesystem;

TEST_CASE("all of MedNIST: 58,954 images, 348 duplicate groups, a duplicate-aware split") {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  const fs::path archive = fs::path(shared != nullptr ? shared : "../shared") / "datasets" / "MedNIST.tar.gz";
  if (!fs::exists(archive)) {
    MESSAGE("skipped: " << archive.string() << " not found (set MEDREPRO_SHARED to the shared folder)");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  const ds::ImageSet set = ds::load_mednist(archive);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("loaded all of MedNIST (" << set.size() << " images, " << set.pixels.size() / 1000000 << " MB of pixels) in "
                                    << seconds << " s");
  CHECK(set.sha256 == ds::kMedNistSha256);
  CHECK(set.class_names == std::vector<std::string>{"AbdomenCT", "BreastMRI", "CXR", "ChestCT", "Hand", "HeadCT"});
  CHECK(set.class_counts == std::vector<size_t>{10000, 8954, 10000, 10000, 10000, 10000});
  CHECK(set.available_counts == set.class_counts);
  REQUIRE(set.size() == 58954);
  CHECK(set.height == 64);
  CHECK(set.width == 64);
  CHECK(set.pixels.size() == 58954u * 64u * 64u);

  // Byte-identical files: 348 groups, 440 extra copies, 346 groups inside AbdomenCT, none across classes.
  const auto groups = ds::find_duplicate_groups(set.content_hashes);
  size_t extra = 0, abdomen = 0;
  bool across = false;
  for (const auto& group : groups) {
    extra += group.size() - 1;
    abdomen += set.labels[group[0]] == 0 ? 1 : 0;
    for (size_t i : group) across = across || set.labels[i] != set.labels[group[0]];
  }
  CHECK(groups.size() == 348);
  CHECK(extra == 440);
  CHECK(abdomen == 346);
  CHECK_FALSE(across);
  // Identical decoded pixels: every byte-identical group, perhaps more.
  const auto pixel_groups = ds::find_duplicate_groups(ds::pixel_hashes(set));
  size_t pixel_extra = 0;
  for (const auto& group : pixel_groups) pixel_extra += group.size() - 1;
  MESSAGE("pixel-identical groups: " << pixel_groups.size() << " (" << pixel_extra << " extra copies)");
  CHECK(pixel_groups.size() >= groups.size());

  // 100 test images per class, 20% of the rest for validation, duplicates dropped.
  ds::SplitOptions options;
  options.seed = 2024;
  options.test_per_class = 100;
  options.val_fraction = 0.2;
  const ds::Split split = ds::stratified_split(set.labels, groups, options);
  CHECK(split.dropped_duplicates == 440);
  CHECK(split.test.size() == 600);
  CHECK(split.train.size() + split.val.size() + split.test.size() == 58954 - 440);
  std::vector<size_t> test_per_class(6, 0);
  for (size_t i : split.test) ++test_per_class[size_t(set.labels[i])];
  CHECK(test_per_class == std::vector<size_t>(6, 100));
  std::set<uint64_t> seen;
  for (const auto* part : {&split.train, &split.val, &split.test}) {
    for (size_t i : *part) CHECK(seen.insert(set.content_hashes[i]).second);  // no image content twice
  }
  CHECK_NOTHROW(ds::check_split(split, set.size()));
}
