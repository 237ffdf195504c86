#include "papers/rezaei_brain_mri/tumour_images.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "datasets/batch.h"
#include "datasets/split.h"

namespace rezaei {
namespace ds = medrepro::datasets;

ClassificationSplit classification_split(const ds::BrainTumorMri& data, const ds::Split& deduplicated,
                                         size_t train_per_class, size_t val_per_class) {
  const ds::ImageSet& set = data.set;
  ClassificationSplit split;
  split.test = deduplicated.test;
  ds::SplitMix64 rng(kDataSeed);
  for (size_t label = 0; label < set.class_names.size(); ++label) {
    std::vector<size_t> items;
    for (size_t item : deduplicated.train) {
      if (size_t(set.labels[item]) == label) items.push_back(item);
    }
    ds::shuffle(items, rng);
    size_t train = train_per_class, val = val_per_class;
    if (train == 0 && val == 0) {
      val = std::max<size_t>(1, (items.size() + 5) / 10);
      train = items.size() - std::min(val, items.size());
    }
    if (train + val > items.size() || train == 0) {
      medrepro::fail("BrainTumorMRI class " + set.class_names[label] + " has " + std::to_string(items.size()) +
                     " deduplicated training images; the profile asks for " + std::to_string(train) +
                     " training and " + std::to_string(val) + " validation images");
    }
    split.train.insert(split.train.end(), items.begin(), items.begin() + long(train));
    split.val.insert(split.val.end(), items.begin() + long(train), items.begin() + long(train + val));
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  return split;
}

std::vector<float> network_image(const ds::ImageSet& set, size_t item, int size) {
  const uint8_t* pixels = set.image(item);
  std::vector<float> plane(set.image_bytes());
  for (size_t i = 0; i < plane.size(); ++i) plane[i] = float(pixels[i]) / 255.0f;
  return ds::resize_bilinear_in_steps(plane.data(), set.height, set.width, size, size);
}

float mean_intensity(const ds::ImageSet& set, const std::vector<size_t>& items, int size) {
  double sum = 0;
  for (size_t item : items) {
    for (float v : network_image(set, item, size)) sum += v;
  }
  return items.empty() ? 0.0f : float(sum / (double(items.size()) * double(size) * double(size)));
}

ds::AugmentOptions classification_augmentation() {
  ds::AugmentOptions options;
  options.flip_x = 0.5;
  options.gamma = {0.5, 0.8, 1.25};
  options.zoom = {0.5, 0.9, 1.1};
  return options;
}

medrepro::papers::ArrayExamples classification_examples(const ds::ImageSet& set, const std::vector<size_t>& items,
                                                        int size, float mean, const ds::AugmentOptions& augment) {
  std::vector<float> values, labels;
  values.reserve(items.size() * size_t(size) * size_t(size));
  for (size_t item : items) {
    for (float v : network_image(set, item, size)) values.push_back(v - mean);
    labels.push_back(float(set.labels[item]));
  }
  return medrepro::papers::ArrayExamples({1, size, size}, std::move(values), std::move(labels),
                                         set.class_names.size(), false, augment);
}

namespace {

constexpr int kThumbnail = 16;

// Block means; blocks differ by a pixel where the side is not a multiple of 16.
std::vector<float> thumbnail(const ds::ImageSet& set, size_t item) {
  std::vector<float> sums(kThumbnail * kThumbnail, 0.0f), counts(sums.size(), 0.0f);
  const uint8_t* pixels = set.image(item);
  for (int y = 0; y < set.height; ++y) {
    for (int x = 0; x < set.width; ++x) {
      const size_t block = size_t(y * kThumbnail / set.height) * kThumbnail + size_t(x * kThumbnail / set.width);
      sums[block] += float(pixels[size_t(y) * size_t(set.width) + size_t(x)]);
      counts[block] += 1;
    }
  }
  for (size_t i = 0; i < sums.size(); ++i) sums[i] /= counts[i];
  return sums;
}

}  // namespace

NearTwins count_near_twins(const ds::ImageSet& set, const std::vector<size_t>& test, const std::vector<size_t>& train,
                           const std::vector<double>& thresholds) {
  NearTwins result{thresholds, std::vector<size_t>(thresholds.size(), 0), test.size(), train.size()};
  std::vector<std::vector<float>> train_thumbnails;
  train_thumbnails.reserve(train.size());
  for (size_t item : train) train_thumbnails.push_back(thumbnail(set, item));
  for (size_t item : test) {
    const std::vector<float> query = thumbnail(set, item);
    double nearest = std::numeric_limits<double>::infinity();
    for (const auto& candidate : train_thumbnails) {
      double distance = 0;
      for (size_t i = 0; i < query.size(); ++i) distance += std::fabs(double(query[i]) - double(candidate[i]));
      nearest = std::min(nearest, distance / double(query.size()));
    }
    for (size_t t = 0; t < thresholds.size(); ++t) {
      if (nearest <= thresholds[t]) ++result.test_images[t];
    }
  }
  return result;
}

}  // namespace rezaei
