// The classification part of Rezaei et al.: the readings of Table 1, the arithmetic
// that shows the paper's Table 1 fits none of them, the wavelet baselines'
// cross-validation, the split of the training pool, near-twin counting and the networks.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "datasets/split.h"
#include "papers/rezaei_brain_mri/classification_models.h"
#include "papers/rezaei_brain_mri/scores.h"
#include "papers/rezaei_brain_mri/tumour_images.h"
#include "papers/rezaei_brain_mri/wavelet_baselines.h"

namespace ds = medrepro::datasets;

TEST_CASE("Table 1's readings: 4-way, tumour vs none merged, one-vs-rest per class and macro") {
  // Classes 0 glioma, 1 meningioma, 2 notumor, 3 pituitary; two images each.
  const std::vector<int> truth = {0, 0, 1, 1, 2, 2, 3, 3};
  const std::vector<int> predicted = {0, 1, 1, 1, 2, 0, 3, 2};
  const rezaei::Scores s = rezaei::score(truth, predicted, 4, 2);
  CHECK(s.accuracy == doctest::Approx(100.0 * 5 / 8));
  // Merged: tumour images 0,1,2,3,6,7 all called tumour but image 7 (called notumor); notumor 4 right, 5 wrong.
  CHECK(s.binary_accuracy == doctest::Approx(100.0 * 6 / 8));
  CHECK(s.binary_sensitivity == doctest::Approx(5.0 / 6));
  CHECK(s.binary_specificity == doctest::Approx(0.5));
  // Per class: glioma sens 1/2, spec 5/6 (image 5 called glioma); meningioma 2/2, 5/6; notumor 1/2, 5/6; pituitary 1/2, 6/6.
  CHECK(s.sensitivity == std::vector<double>{0.5, 1.0, 0.5, 0.5});
  CHECK(s.specificity[0] == doctest::Approx(5.0 / 6));
  CHECK(s.specificity[3] == doctest::Approx(1.0));
  CHECK(s.macro_sensitivity == doctest::Approx(0.625));
  CHECK(s.macro_specificity == doctest::Approx((5.0 / 6 * 3 + 1) / 4));
  // Binary labels as given (1 tumour, 0 none).
  const rezaei::Scores b = rezaei::score({1, 1, 0, 0}, {1, 0, 0, 1}, 2, 0);
  CHECK(b.binary_sensitivity == doctest::Approx(0.5));
  CHECK(b.binary_specificity == doctest::Approx(0.5));
  CHECK(b.sensitivity.empty());
  CHECK_THROWS_AS(rezaei::score({}, {}, 4, 2), medrepro::Error);
}

TEST_CASE("Table 1's arithmetic: 95.07% lies outside [0.87, 0.91]; equal 5 classes imply spec 0.988") {
  const rezaei::Table1Arithmetic a = rezaei::table1_arithmetic(0.9507, 0.91, 0.87, 5);
  CHECK(a.binary_low == doctest::Approx(0.87));
  CHECK(a.binary_high == doctest::Approx(0.91));
  CHECK(a.macro_sensitivity == doctest::Approx(0.9507));
  CHECK(a.macro_specificity == doctest::Approx(1 - 0.0493 / 4));
  // The identity behind it, on equal classes: mean one-vs-rest specificity = 1 - (1 - acc) / (K - 1).
  const std::vector<int> truth = {0, 0, 1, 1, 2, 2};
  const std::vector<int> predicted = {0, 1, 1, 2, 2, 2};
  const rezaei::Scores s = rezaei::score(truth, predicted, 3, 2);
  CHECK(s.macro_specificity == doctest::Approx(rezaei::table1_arithmetic(4.0 / 6, 0, 0, 3).macro_specificity));
  CHECK(s.macro_sensitivity == doctest::Approx(4.0 / 6));
}

TEST_CASE("wavelet baselines: cross-validated settings separate separable classes; refusals") {
  // Three classes in 30 features: class c has a bump on features 10c..10c+9, plus seeded noise.
  ds::SplitMix64 rng(7);
  auto make = [&](int count, std::vector<std::vector<double>>& rows, std::vector<int>& labels) {
    for (int i = 0; i < count; ++i) {
      const int c = i % 3;
      std::vector<double> row(30);
      for (int f = 0; f < 30; ++f) row[size_t(f)] = rng.uniform() + (f / 10 == c ? 3.0 : 0.0);
      rows.push_back(row);
      labels.push_back(c);
    }
  };
  std::vector<std::vector<double>> train, test;
  std::vector<int> train_labels, test_labels;
  make(90, train, train_labels);
  make(30, test, test_labels);
  for (auto pipeline : {rezaei::Pipeline::HaarPcaKnn, rezaei::Pipeline::Daub4PcaSvm}) {
    CAPTURE(rezaei::pipeline_id(pipeline));
    const rezaei::BaselineResult r = rezaei::run_baseline(pipeline, 3, train, train_labels, test, test_labels, 3, 1);
    CHECK(r.predicted == test_labels);
    CHECK(r.cv_accuracy == doctest::Approx(100.0));
    CHECK((r.components == 10 || r.components == 20));  // 40 exceeds the 30 features
    CHECK(rezaei::pipeline_from_id(rezaei::pipeline_id(pipeline)) == pipeline);
    // Deterministic: the same seed gives the same choice.
    const rezaei::BaselineResult again = rezaei::run_baseline(pipeline, 3, train, train_labels, test, test_labels, 3, 1);
    CHECK(again.components == r.components);
    CHECK(again.k == r.k);
    CHECK(again.c == r.c);
    CHECK(again.gamma == r.gamma);
  }
  CHECK_THROWS_AS(rezaei::run_baseline(rezaei::Pipeline::HaarPcaKnn, 3, train, train_labels, test, test_labels, 1, 1),
                  medrepro::Error);
  CHECK_THROWS_AS(rezaei::pipeline_from_id("sift_svm"), medrepro::Error);
}

namespace {

// An ImageSet of `per_class` 8x8 images per class; image i is filled with the value i.
ds::BrainTumorMri tiny_tumour_set(size_t per_class) {
  ds::BrainTumorMri data;
  ds::ImageSet& set = data.set;
  set.height = set.width = 8;
  set.class_names = {"glioma", "meningioma", "notumor", "pituitary"};
  for (size_t c = 0; c < 4; ++c) {
    for (size_t i = 0; i < per_class; ++i) {
      set.labels.push_back(int(c));
      set.files.push_back(set.class_names[c] + "/" + std::to_string(i) + ".jpg");
      set.pixels.insert(set.pixels.end(), 64, uint8_t(set.labels.size()));
    }
  }
  set.class_counts.assign(4, per_class);
  return data;
}

}  // namespace

TEST_CASE("the training pool: per class from the deduplicated training images, seeded, disjoint from test") {
  const ds::BrainTumorMri data = tiny_tumour_set(20);
  ds::Split deduplicated;
  for (size_t i = 0; i < data.set.size(); ++i) (i % 5 == 0 ? deduplicated.test : deduplicated.train).push_back(i);
  const rezaei::ClassificationSplit split = rezaei::classification_split(data, deduplicated, 10, 3);
  CHECK(split.test == deduplicated.test);
  CHECK(split.train.size() == 40);
  CHECK(split.val.size() == 12);
  std::set<size_t> seen(split.train.begin(), split.train.end());
  for (size_t item : split.val) CHECK(seen.insert(item).second);
  for (size_t item : split.test) CHECK(seen.count(item) == 0);
  for (int c = 0; c < 4; ++c) {
    CHECK(std::count_if(split.train.begin(), split.train.end(), [&](size_t i) { return data.set.labels[i] == c; }) == 10);
  }
  CHECK(rezaei::classification_split(data, deduplicated, 10, 3).train == split.train);  // kDataSeed fixes the draw
  // All of them, a tenth for validation.
  const rezaei::ClassificationSplit all = rezaei::classification_split(data, deduplicated, 0, 0);
  CHECK(all.train.size() + all.val.size() == deduplicated.train.size());
  CHECK(all.val.size() == 8);  // 16 per class, 2 for validation
  CHECK_THROWS_AS(rezaei::classification_split(data, deduplicated, 15, 3), medrepro::Error);  // 16 per class
}

TEST_CASE("near-twins: test images within a threshold of a training image at 16x16") {
  ds::BrainTumorMri data = tiny_tumour_set(2);  // images of value 1..8
  ds::ImageSet& set = data.set;
  set.height = set.width = 32;
  set.pixels.clear();
  for (size_t i = 0; i < set.size(); ++i) set.pixels.insert(set.pixels.end(), 32 * 32, uint8_t(10 * i));
  // Test image 1 differs from training image 0 by 10 grey levels everywhere, except image 7 equal to image 6.
  set.pixels.resize(8 * 32 * 32);
  std::copy_n(set.image(6), 32 * 32, set.pixels.begin() + 7 * 32 * 32);
  const rezaei::NearTwins twins = rezaei::count_near_twins(set, {1, 7}, {0, 6}, {0.0, 10.0});
  CHECK(twins.test_images == std::vector<size_t>{1, 2});
  CHECK(twins.test_total == 2);
  CHECK(twins.train_total == 2);
}

TEST_CASE("the networks: 7 and 5 convolutions, pools where the seed places them, one score per class") {
  rezaei::ConvNet seven({7, 0.125, 32}, 64, 4, 1), five({5, 0.125, 32}, 64, 4, 1);
  const auto rows = seven.summary();
  CHECK(rows.back().output == std::vector<int64_t>{4});
  int convolutions = 0, average = 0, maximum = 0;
  for (const auto& row : rows) {
    convolutions += row.name.rfind("Conv2d", 0) == 0;
    average += row.name.rfind("AvgPool", 0) == 0;
    maximum += row.name.rfind("MaxPool", 0) == 0;
  }
  CHECK(convolutions == 7);
  CHECK(average == 1);
  CHECK(maximum == 2);
  int five_convolutions = 0;
  for (const auto& row : five.summary()) five_convolutions += row.name.rfind("Conv2d", 0) == 0;
  CHECK(five_convolutions == 5);
  CHECK(rezaei::architecture_id(7) == "seven_conv");
  CHECK_THROWS_AS(rezaei::ConvNet({6, 1.0, 32}, 64, 4, 1), medrepro::Error);
}
