#include "papers/rezaei_brain_mri/scores.h"

#include <algorithm>

#include "core/error.h"
#include "papers/common/classification_metrics.h"

namespace rezaei {
namespace metrics = medrepro::metrics;

Scores score(const std::vector<int>& truth, const std::vector<int>& predicted, int classes, int none_class) {
  if (truth.size() != predicted.size() || truth.empty()) medrepro::fail("score: truth and predictions differ or are empty");
  Scores s;
  const metrics::ConfusionMatrix matrix(truth, predicted, classes);
  s.accuracy = 100.0 * metrics::accuracy(matrix).value;
  std::vector<int> binary_truth, binary_predicted;
  for (size_t i = 0; i < truth.size(); ++i) {
    binary_truth.push_back(classes == 2 ? truth[i] : int(truth[i] != none_class));
    binary_predicted.push_back(classes == 2 ? predicted[i] : int(predicted[i] != none_class));
  }
  const metrics::ConfusionMatrix binary(binary_truth, binary_predicted, 2);
  const metrics::SensitivitySpecificity tumour = metrics::sensitivity_specificity(binary, 1);
  s.binary_accuracy = 100.0 * metrics::accuracy(binary).value;
  s.binary_sensitivity = tumour.sensitivity.value;
  s.binary_specificity = tumour.specificity.value;
  if (classes > 2) {
    for (int c = 0; c < classes; ++c) {
      const metrics::SensitivitySpecificity one = metrics::sensitivity_specificity(matrix, c);
      s.sensitivity.push_back(one.sensitivity.value);
      s.specificity.push_back(one.specificity.value);
      s.macro_sensitivity += one.sensitivity.value / classes;
      s.macro_specificity += one.specificity.value / classes;
    }
  }
  return s;
}

Table1Arithmetic table1_arithmetic(double accuracy, double sensitivity, double specificity, int classes) {
  if (classes < 2) medrepro::fail("table1_arithmetic: at least two classes");
  Table1Arithmetic a;
  a.binary_low = std::min(sensitivity, specificity);
  a.binary_high = std::max(sensitivity, specificity);
  a.macro_sensitivity = accuracy;
  a.macro_specificity = 1.0 - (1.0 - accuracy) / double(classes - 1);
  return a;
}

}  // namespace rezaei
