#include "papers/khan_yong_anatomy/training_sets.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "datasets/split.h"

namespace khan_yong {

namespace ds = medrepro::datasets;

std::vector<size_t> curve_sizes(size_t largest, int count) {
  std::vector<size_t> sizes;
  const double low = std::log(5.0), high = std::log(double(std::max<size_t>(largest, 5)));
  for (int i = 0; i < count; ++i) {
    const double t = count > 1 ? double(i) / (count - 1) : 1.0;
    const auto size = static_cast<size_t>(std::lround(std::exp(low + t * (high - low))));
    if (sizes.empty() || size > sizes.back()) sizes.push_back(size);
  }
  sizes.back() = largest;
  return sizes;
}

Pools make_pools(const ds::ImageSet& set, const std::vector<size_t>& pool_items, const Profile& profile) {
  const size_t classes = set.class_names.size();
  Pools pools;
  pools.per_class.resize(classes);
  for (size_t item : pool_items) pools.per_class[size_t(set.labels[item])].push_back(item);
  ds::SplitMix64 rng(kDataSeed);
  for (auto& items : pools.per_class) ds::shuffle(items, rng);
  size_t smallest = SIZE_MAX;
  for (const auto& items : pools.per_class) smallest = std::min(smallest, items.size());
  pools.per_class_limit.assign(classes, profile.pool_per_class ? std::min(profile.pool_per_class, smallest) : smallest);
  if (profile.pool_total) {
    // Spread the total as evenly as the classes allow (the paper: 37,198 over five anatomies).
    size_t total = 0;
    for (size_t c = 0; c < classes; ++c) {
      pools.per_class_limit[c] = std::min(pools.per_class[c].size(), profile.pool_total / classes);
      total += pools.per_class_limit[c];
    }
    for (size_t c = 0; total < profile.pool_total && c < classes; ++c) {
      if (pools.per_class_limit[c] < pools.per_class[c].size()) ++pools.per_class_limit[c], ++total;
    }
  }
  return pools;
}

SizedSplit sized_split(const Pools& pools, size_t per_class, bool largest) {
  SizedSplit split;
  split.per_class = per_class;
  for (size_t c = 0; c < pools.per_class.size(); ++c) {
    const size_t take = largest ? pools.per_class_limit[c] : std::min(per_class, pools.per_class_limit[c]);
    const auto val = static_cast<size_t>(std::lround(0.2 * double(take)));
    for (size_t i = 0; i < take; ++i) (i < val ? split.val : split.train).push_back(pools.per_class[c][i]);
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  split.pool = split.train.size() + split.val.size();
  return split;
}

}  // namespace khan_yong
