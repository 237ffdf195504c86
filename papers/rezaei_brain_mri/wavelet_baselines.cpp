#include "papers/rezaei_brain_mri/wavelet_baselines.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "datasets/split.h"
#include "papers/common/knn.h"
#include "papers/common/pca.h"
#include "papers/common/svm.h"

namespace rezaei {
namespace ds = medrepro::datasets;
using medrepro::report::Json;
using Rows = std::vector<std::vector<double>>;

std::string pipeline_id(Pipeline pipeline) {
  return pipeline == Pipeline::HaarPcaKnn ? "haar_pca_knn" : "daub4_pca_svm";
}

std::string pipeline_name(Pipeline pipeline) {
  return pipeline == Pipeline::HaarPcaKnn ? "Wavelet (Haar) + PCA + KNN" : "Wavelet (DAUB-4) + PCA + SVM-RBF";
}

Pipeline pipeline_from_id(const std::string& id) {
  if (id == "haar_pca_knn") return Pipeline::HaarPcaKnn;
  if (id == "daub4_pca_svm") return Pipeline::Daub4PcaSvm;
  medrepro::fail("Unknown baseline pipeline '" + id + "'");
}

std::vector<double> wavelet_features(const ds::ImageSet& set, size_t item, medrepro::wavelet::Family family) {
  const int multiple = 1 << kWaveletLevels;
  if (set.height % multiple != 0 || set.width % multiple != 0) {
    medrepro::fail("wavelet_features: a " + std::to_string(set.height) + "x" + std::to_string(set.width) +
                   " image is not a multiple of " + std::to_string(multiple) + " on both sides");
  }
  const uint8_t* pixels = set.image(item);
  const std::vector<double> image(pixels, pixels + set.image_bytes());
  return medrepro::wavelet::approximation_2d(image, set.height, set.width, family, kWaveletLevels);
}

namespace {

// The hyper-parameter grids, fixed before any run. PCA sizes as the quoted
// pipelines use (tens of components); gamma relative to scikit-learn's "scale",
// 1 / (features x variance of the projected training rows).
const std::vector<size_t> kComponents = {10, 20, 40};
const std::vector<int> kNeighbours = {1, 3, 5, 7, 9};
const std::vector<double> kC = {1, 10, 100};
const std::vector<double> kGammaFactor = {0.1, 1, 10};

struct Setting {
  size_t components = 0;
  int k = 0;
  double c = 0, gamma_factor = 0;
};

std::vector<Setting> grid(Pipeline pipeline, size_t max_components) {
  std::vector<Setting> settings;
  for (size_t components : kComponents) {
    if (components > max_components) continue;
    if (pipeline == Pipeline::HaarPcaKnn) {
      for (int k : kNeighbours) settings.push_back({components, k, 0, 0});
    } else {
      for (double c : kC) {
        for (double g : kGammaFactor) settings.push_back({components, 0, c, g});
      }
    }
  }
  if (settings.empty()) medrepro::fail("wavelet baseline: too few training images for " +
                                       std::to_string(kComponents.front()) + " PCA components");
  return settings;
}

double scale_gamma(const Rows& projected) {
  double sum = 0, squares = 0;
  size_t count = 0;
  for (const auto& row : projected) {
    for (double v : row) sum += v, squares += v * v, ++count;
  }
  const double mean = sum / double(count), variance = squares / double(count) - mean * mean;
  return 1.0 / (double(projected.front().size()) * std::max(variance, 1e-12));
}

// The leading `components` coordinates of each row.
Rows project(const medrepro::pca::Model& model, const Rows& rows, size_t components) {
  Rows out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    std::vector<double> p = medrepro::pca::project(model, row);
    p.resize(components);
    out.push_back(std::move(p));
  }
  return out;
}

// Trains on (train, labels) with one setting and classifies `queries`.
std::vector<int> classify(Pipeline pipeline, const Setting& setting, const Rows& train, const std::vector<int>& labels,
                          const Rows& queries, double* gamma_used = nullptr) {
  std::vector<int> predicted;
  predicted.reserve(queries.size());
  if (pipeline == Pipeline::HaarPcaKnn) {
    for (const auto& q : queries) predicted.push_back(medrepro::knn::classify(train, labels, q, setting.k));
    return predicted;
  }
  medrepro::svm::Options options;
  options.c = setting.c;
  options.gamma = setting.gamma_factor * scale_gamma(train);
  if (gamma_used) *gamma_used = options.gamma;
  const medrepro::svm::Classifier svm = medrepro::svm::train(train, labels, options);
  for (const auto& q : queries) predicted.push_back(svm.classify(q));
  return predicted;
}

// Per class, shuffled with `seed`, dealt round-robin into the folds.
std::vector<int> stratified_folds(const std::vector<int>& labels, int classes, int folds, uint64_t seed) {
  std::vector<int> fold(labels.size(), 0);
  ds::SplitMix64 rng(seed);
  for (int c = 0; c < classes; ++c) {
    std::vector<size_t> items;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == c) items.push_back(i);
    }
    ds::shuffle(items, rng);
    for (size_t j = 0; j < items.size(); ++j) fold[items[j]] = int(j % size_t(folds));
  }
  return fold;
}

}  // namespace

Json BaselineResult::to_json() const {
  Json json;
  json.set("pipeline", pipeline_id(pipeline))
      .set("classes", classes)
      .set("components", uint64_t(components))
      .set("cv_accuracy", cv_accuracy)
      .set("seconds", seconds)
      .set("truth", Json::array_of(truth))
      .set("predicted", Json::array_of(predicted));
  if (pipeline == Pipeline::HaarPcaKnn) json.set("k", k);
  else json.set("c", c).set("gamma", gamma);
  return json;
}

BaselineResult run_baseline(Pipeline pipeline, int classes, const Rows& train, const std::vector<int>& train_labels,
                            const Rows& test, const std::vector<int>& test_labels, int folds, uint64_t seed) {
  const auto started = std::chrono::steady_clock::now();
  if (train.size() != train_labels.size() || test.size() != test_labels.size()) {
    medrepro::fail("run_baseline: rows and labels differ in number");
  }
  if (folds < 2) medrepro::fail("run_baseline: at least 2 cross-validation folds");
  const std::vector<int> fold_of = stratified_folds(train_labels, classes, folds, seed);
  const size_t smallest_fold = train.size() / size_t(folds);
  const std::vector<Setting> settings = grid(pipeline, std::min(train.front().size(), smallest_fold));
  const size_t most = std::max_element(settings.begin(), settings.end(), [](const Setting& a, const Setting& b) {
                        return a.components < b.components;
                      })->components;

  // PCA is fitted once on every training image (it sees no labels; the test images
  // stay out); the folds choose its size and the classifier's settings.
  const medrepro::pca::Model model = medrepro::pca::fit(train, most);
  std::vector<size_t> correct(settings.size(), 0);
  for (size_t s = 0; s < settings.size(); ++s) {
    const Rows projected = project(model, train, settings[s].components);
    for (int f = 0; f < folds; ++f) {
      Rows fit_rows, held_rows;
      std::vector<int> fit_labels, held_labels;
      for (size_t i = 0; i < train.size(); ++i) {
        (fold_of[i] == f ? held_rows : fit_rows).push_back(projected[i]);
        (fold_of[i] == f ? held_labels : fit_labels).push_back(train_labels[i]);
      }
      const std::vector<int> predicted = classify(pipeline, settings[s], fit_rows, fit_labels, held_rows);
      for (size_t i = 0; i < predicted.size(); ++i) correct[s] += predicted[i] == held_labels[i];
    }
  }
  const size_t best = size_t(std::max_element(correct.begin(), correct.end()) - correct.begin());  // first best

  BaselineResult result;
  result.pipeline = pipeline;
  result.classes = classes;
  result.components = settings[best].components;
  result.k = settings[best].k;
  result.c = settings[best].c;
  result.cv_accuracy = 100.0 * double(correct[best]) / double(train.size());
  result.predicted = classify(pipeline, settings[best], project(model, train, result.components), train_labels,
                              project(model, test, result.components), &result.gamma);
  result.truth = test_labels;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace rezaei
