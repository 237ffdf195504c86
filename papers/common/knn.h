#pragma once
// k-nearest-neighbour classification (Euclidean distance, majority vote), the
// classifier of one of the wavelet pipelines in Rezaei et al.'s Table 2, on the
// host in double.
#include <span>
#include <vector>

namespace medrepro::knn {

// The class of `query` among the k training points nearest to it (k is cut to
// the number of points). Distance ties go to the lower training index; a tied
// vote goes to the tied class whose member is nearest.
int classify(std::span<const std::vector<double>> points, std::span<const int> labels, std::span<const double> query,
             int k);

}  // namespace medrepro::knn
