#pragma once
// Intensity clusters as label maps: the THRESHOLD labels of Wong et al. (2018),
// k-means on the pixel values of the training images. One-dimensional Lloyd
// iterations, exact: in 1-D each cluster is an interval of the sorted values
// between the midpoints of neighbouring centres, so an iteration is a few binary
// searches over the sorted values and prefix sums, whatever the number of pixels.
#include <cstdint>
#include <span>
#include <vector>

namespace medrepro::datasets {

struct IntensityClusters {
  std::vector<double> centres;  // ascending: label l is the l-th darkest cluster
  int iterations = 0;           // Lloyd iterations run
  bool converged = false;       // no value changed cluster in the last iteration
};

// Initial centres at the (i + 0.5) / k quantiles of the DISTINCT values (quantiles of
// all values would coincide on images whose background is one value); then Lloyd
// iterations until no value changes cluster, or max_iterations. A cluster that loses
// every value keeps its centre. Fails on fewer than k distinct values, or on NaN.
IntensityClusters kmeans_1d(std::span<const float> values, int k, int max_iterations = 300);

// The cluster of each value: the nearest centre (a value halfway between two goes to
// the darker one), as labels 0..k-1.
std::vector<uint8_t> cluster_labels(std::span<const float> values, const std::vector<double>& centres);

}  // namespace medrepro::datasets
