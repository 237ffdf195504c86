#pragma once
// A C-support-vector classifier with the RBF kernel K(a, b) = exp(-gamma |a - b|^2),
// the classifier of one of the wavelet pipelines in Rezaei et al.'s Table 2, on
// the host in double. Training solves the dual by SMO with LIBSVM's second-order
// working-set selection (Fan, Chen & Lin 2005) to the tolerance on the KKT gap;
// several classes vote one-vs-one as LIBSVM does (ties: the lower class). The
// kernel matrix is held whole: at most 8,192 training points (512 MiB).
#include <span>
#include <vector>

namespace medrepro::svm {

struct Options {
  double c = 1.0;             // the box constraint
  double gamma = 0.1;         // the RBF width
  double tolerance = 1e-3;    // on max violation of the KKT conditions (LIBSVM's eps)
  int max_iterations = 1000000;
};

// Two classes, labels +1 and -1.
struct Binary {
  std::vector<std::vector<double>> support;  // support vectors
  std::vector<double> coefficients;          // y_i alpha_i of each
  double rho = 0;                            // decision(x) = sum coefficient_i K(s_i, x) - rho
  double gamma = 0;
  int iterations = 0;
  double decision(std::span<const double> x) const;
};
Binary train_binary(std::span<const std::vector<double>> points, std::span<const int> signs, const Options& options);

// Any number of classes (labels 0..K-1), one binary machine per pair.
struct Classifier {
  int classes = 0;
  std::vector<Binary> machines;  // pair (a, b), a < b, in order: +1 means a
  int classify(std::span<const double> x) const;
};
Classifier train(std::span<const std::vector<double>> points, std::span<const int> labels, const Options& options);

}  // namespace medrepro::svm
