#include "datasets/kmeans.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace medrepro::datasets {
namespace {

// Index of the first sorted value of each cluster after the first: values <= the
// midpoint of centres l-1 and l belong to cluster l-1 or below.
std::vector<size_t> cluster_starts(const std::vector<double>& sorted, const std::vector<double>& centres) {
  std::vector<size_t> starts;
  for (size_t l = 1; l < centres.size(); ++l) {
    const double midpoint = 0.5 * (centres[l - 1] + centres[l]);
    starts.push_back(size_t(std::upper_bound(sorted.begin(), sorted.end(), midpoint) - sorted.begin()));
  }
  return starts;
}

}  // namespace

IntensityClusters kmeans_1d(std::span<const float> values, int k, int max_iterations) {
  if (k < 1 || k > 256) fail("kmeans_1d: k must be in 1..256, not " + std::to_string(k));
  std::vector<double> sorted(values.begin(), values.end());
  for (double v : sorted) {
    if (std::isnan(v)) fail("kmeans_1d: NaN among the values");
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> distinct = sorted;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() < size_t(k)) {
    fail("kmeans_1d: " + std::to_string(distinct.size()) + " distinct values cannot make " + std::to_string(k) +
         " clusters");
  }
  IntensityClusters result;
  for (int i = 0; i < k; ++i) {
    result.centres.push_back(distinct[size_t((double(i) + 0.5) / double(k) * double(distinct.size()))]);
  }
  std::vector<double> prefix(sorted.size() + 1, 0.0);  // prefix[i] = sum of the i smallest values
  for (size_t i = 0; i < sorted.size(); ++i) prefix[i + 1] = prefix[i] + sorted[i];

  std::vector<size_t> starts = cluster_starts(sorted, result.centres);
  while (result.iterations < max_iterations) {
    ++result.iterations;
    for (size_t l = 0; l < result.centres.size(); ++l) {
      const size_t begin = l == 0 ? 0 : starts[l - 1], end = l + 1 == result.centres.size() ? sorted.size() : starts[l];
      if (end > begin) result.centres[l] = (prefix[end] - prefix[begin]) / double(end - begin);
    }
    std::sort(result.centres.begin(), result.centres.end());
    const std::vector<size_t> next = cluster_starts(sorted, result.centres);
    if (next == starts) {
      result.converged = true;
      break;
    }
    starts = next;
  }
  return result;
}

std::vector<uint8_t> cluster_labels(std::span<const float> values, const std::vector<double>& centres) {
  if (centres.empty() || centres.size() > 256) fail("cluster_labels: 1 to 256 centres needed");
  std::vector<double> midpoints;
  for (size_t l = 1; l < centres.size(); ++l) midpoints.push_back(0.5 * (centres[l - 1] + centres[l]));
  std::vector<uint8_t> labels;
  labels.reserve(values.size());
  for (float v : values) {
    labels.push_back(uint8_t(std::lower_bound(midpoints.begin(), midpoints.end(), double(v)) - midpoints.begin()));
  }
  return labels;
}

}  // namespace medrepro::datasets
