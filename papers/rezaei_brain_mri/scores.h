#pragma once
// Table 1's three numbers under each reading a reader might take, from a test set's
// predictions: 4-way accuracy, tumour-vs-none (the three tumour classes merged)
// accuracy, sensitivity and specificity, and one-vs-rest sensitivity and
// specificity per class and macro-averaged. And the arithmetic that shows the
// paper's own Table 1 fits none of them.
#include <string>
#include <vector>

namespace rezaei {

struct Scores {
  double accuracy = 0;             // percent, over the classes predicted
  double binary_accuracy = 0;      // percent, tumour vs none
  double binary_sensitivity = 0;   // of tumour images called tumour (any tumour class)
  double binary_specificity = 0;   // of no-tumour images called no tumour
  double macro_sensitivity = 0, macro_specificity = 0;  // one-vs-rest, mean over classes (multi-class only)
  std::vector<double> sensitivity, specificity;        // per class (multi-class only)
};

// truth and predicted: class indices below `classes`; `none_class`: the no-tumour
// class. With classes == 2 the labels are already binary (1: tumour, 0: none).
Scores score(const std::vector<int>& truth, const std::vector<int>& predicted, int classes, int none_class);

// What Table 1's accuracy, sensitivity and specificity allow: under a binary
// reading the accuracy is p * sens + (1 - p) * spec, so within [min, max] of the
// two; under a one-vs-rest macro reading with equal classes, macro sensitivity
// equals the accuracy and macro specificity is 1 - (1 - accuracy) / (K - 1).
struct Table1Arithmetic {
  double binary_low = 0, binary_high = 0;  // the accuracies a binary reading allows
  double macro_sensitivity = 0, macro_specificity = 0;  // what the accuracy implies with equal classes
};
Table1Arithmetic table1_arithmetic(double accuracy, double sensitivity, double specificity, int classes);

}  // namespace rezaei
