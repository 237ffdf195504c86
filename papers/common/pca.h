#pragma once
// Principal component analysis, the middle step of the wavelet pipelines in Rezaei
// et al.'s Table 2 (DWT, PCA, then an SVM or kNN), on the host in double: the
// covariance of the centred training rows, its eigenvectors by cyclic Jacobi
// rotations, the leading ones kept.
#include <cstddef>
#include <span>
#include <vector>

namespace medrepro::pca {

struct Model {
  std::vector<double> mean;                     // per feature
  std::vector<std::vector<double>> components;  // unit vectors, by decreasing variance
  std::vector<double> variances;                // of the data along each component
  double total_variance = 0;                    // of the data: the covariance's trace
};

// Fits `components` principal axes to the rows (at least two, of equal length).
// Each axis' sign is fixed so that its largest-magnitude entry is positive.
Model fit(std::span<const std::vector<double>> rows, size_t components);

// The row's coordinates along the model's components.
std::vector<double> project(const Model& model, std::span<const double> row);

// Eigenvalues (decreasing) and unit eigenvectors of a symmetric n x n matrix
// (row-major), by cyclic Jacobi rotations until the off-diagonal vanishes.
struct Eigen {
  std::vector<double> values;
  std::vector<std::vector<double>> vectors;
};
Eigen symmetric_eigen(std::vector<double> matrix, size_t n);

}  // namespace medrepro::pca
