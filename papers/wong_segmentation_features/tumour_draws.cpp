#include "papers/wong_segmentation_features/tumour_draws.h"

#include <algorithm>

#include "core/error.h"
#include "datasets/split.h"

namespace medrepro::wong {
namespace {

// The first `count` of a seeded shuffle of `items`.
std::vector<size_t> shuffled_prefix(std::vector<size_t> items, size_t count, datasets::SplitMix64& rng,
                                    const std::string& what) {
  if (items.size() < count) {
    fail("the brain tumour split holds " + std::to_string(items.size()) + " " + what + ", the task needs " +
         std::to_string(count));
  }
  datasets::shuffle(items, rng);
  items.resize(count);
  return items;
}

}  // namespace

const std::vector<std::string>& tumour_class_names() {
  static const std::vector<std::string> names{"no tumour", "glioma", "meningioma"};
  return names;
}

int tumour_class(const datasets::BrainTumorMri& data, size_t item) {
  const std::string& name = data.set.class_names.at(size_t(data.set.labels.at(item)));
  if (name == "notumor") return 0;
  if (name == "glioma") return 1;
  if (name == "meningioma") return 2;
  return -1;
}

TumourDraw draw_tumour_repetition(const datasets::BrainTumorMri& data, const datasets::Split& split,
                                  const TumourCounts& counts, uint64_t seed) {
  std::vector<std::vector<size_t>> train(kTumourClasses), test(kTumourClasses);
  for (size_t item : split.train) {
    if (const int c = tumour_class(data, item); c >= 0) train[size_t(c)].push_back(item);
  }
  for (size_t item : split.test) {
    if (const int c = tumour_class(data, item); c >= 0) test[size_t(c)].push_back(item);
  }
  datasets::SplitMix64 rng(seed * 0x9e3779b97f4a7c15ull + 0x74756d6f7572ull);
  TumourDraw draw;
  draw.seed = seed;
  const size_t half = counts.largest_tumorous / 2;
  draw.normals = shuffled_prefix(train[0], counts.normals, rng, "no-tumour training images");
  draw.glioma_pool = shuffled_prefix(train[1], half, rng, "glioma training images");
  draw.meningioma_pool = shuffled_prefix(train[2], half, rng, "meningioma training images");
  for (const auto& [c, n] : {std::pair<size_t, size_t>{0, counts.test_normals}, {1, counts.test_glioma},
                             {2, counts.test_meningioma}}) {
    const std::vector<size_t> drawn = shuffled_prefix(test[c], n, rng, tumour_class_names()[c] + " test images");
    draw.test.insert(draw.test.end(), drawn.begin(), drawn.end());
  }
  std::sort(draw.test.begin(), draw.test.end());
  return draw;
}

std::vector<size_t> tumour_training_items(const TumourDraw& draw, size_t tumorous) {
  const size_t half = tumorous / 2;
  if (tumorous % 2 != 0 || half > draw.glioma_pool.size() || half > draw.meningioma_pool.size()) {
    fail("tumour_training_items: " + std::to_string(tumorous) + " tumorous images: an even number up to " +
         std::to_string(2 * std::min(draw.glioma_pool.size(), draw.meningioma_pool.size())) + " needed");
  }
  std::vector<size_t> items = draw.normals;
  items.insert(items.end(), draw.glioma_pool.begin(), draw.glioma_pool.begin() + ptrdiff_t(half));
  items.insert(items.end(), draw.meningioma_pool.begin(), draw.meningioma_pool.begin() + ptrdiff_t(half));
  return items;
}

}  // namespace medrepro::wong
