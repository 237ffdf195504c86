#pragma once
// Table 2's other rows: the classic MRI pipelines it quotes from other papers,
// run here on the same images as the CNN so that the comparison the paper could
// not make is made. Each image's level-3 2-D DWT approximation band (Haar or
// DAUB-4), PCA, then kNN (Haar) or an RBF SVM (DAUB-4); PCA size, k, C and gamma
// chosen by stratified k-fold cross-validation on the training images, then the
// classifier refitted on all of them. PCA is fitted once on all training images (it
// sees no labels; 7.8 s per fit of 784 features here, too slow to refit per fold).
// On the host, in double.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/image.h"
#include "papers/common/json.h"
#include "papers/common/wavelet.h"

namespace rezaei {

enum class Pipeline { HaarPcaKnn, Daub4PcaSvm };
std::string pipeline_id(Pipeline pipeline);    // "haar_pca_knn", "daub4_pca_svm"
std::string pipeline_name(Pipeline pipeline);  // "Wavelet (Haar) + PCA + KNN", as Table 2 names it
Pipeline pipeline_from_id(const std::string& id);

inline constexpr int kWaveletLevels = 3;

// The approximation band after kWaveletLevels levels (28 x 28 at 224 x 224), of pixels 0..255.
std::vector<double> wavelet_features(const medrepro::datasets::ImageSet& set, size_t item,
                                     medrepro::wavelet::Family family);

struct BaselineResult {
  Pipeline pipeline = Pipeline::HaarPcaKnn;
  int classes = 0;
  size_t components = 0;   // PCA
  int k = 0;               // kNN
  double c = 0, gamma = 0; // SVM
  double cv_accuracy = 0;  // percent, of the chosen setting
  std::vector<int> truth, predicted;  // per test image
  double seconds = 0;
  medrepro::report::Json to_json() const;
};

// labels: class indices below `classes`, per training and per test row.
BaselineResult run_baseline(Pipeline pipeline, int classes, const std::vector<std::vector<double>>& train,
                            const std::vector<int>& train_labels, const std::vector<std::vector<double>>& test,
                            const std::vector<int>& test_labels, int folds, uint64_t seed);

}  // namespace rezaei
