#pragma once
// Khan & Yong's training sets: a fixed test set, and per class a training pool
// in a fixed random order from which Figure 13's smaller sets are cut.
#include <cstddef>
#include <vector>

#include "datasets/image.h"
#include "papers/khan_yong_anatomy/experiment.h"

namespace khan_yong {

constexpr uint64_t kDataSeed = 2017;

// Each class's training pool in a fixed random order: the pool of size s per
// class is its first s items, so smaller training sets nest inside larger ones.
// Of each pool, the first 20% (rounded) are the validation images.
struct Pools {
  std::vector<std::vector<size_t>> per_class;  // shuffled
  std::vector<size_t> per_class_limit;         // how many each class contributes at the largest size
};

Pools make_pools(const medrepro::datasets::ImageSet& set, const std::vector<size_t>& pool_items,
                 const Profile& profile);

// Log-spaced sizes per class from 5 to `largest`, `count` of them, distinct.
std::vector<size_t> curve_sizes(size_t largest, int count);

struct SizedSplit {
  size_t per_class = 0, pool = 0;
  std::vector<size_t> train, val;
};

// `per_class` images of each class's pool, or every class's whole pool (`largest`).
SizedSplit sized_split(const Pools& pools, size_t per_class, bool largest);

}  // namespace khan_yong
