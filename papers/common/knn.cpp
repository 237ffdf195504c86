#include "papers/common/knn.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

#include "core/error.h"

namespace medrepro::knn {

int classify(std::span<const std::vector<double>> points, std::span<const int> labels, std::span<const double> query,
             int k) {
  if (points.empty() || points.size() != labels.size() || k < 1) {
    fail("knn::classify: " + std::to_string(points.size()) + " points, " + std::to_string(labels.size()) +
         " labels and k " + std::to_string(k) + " (need as many labels as points, at least one, and k >= 1)");
  }
  std::vector<double> distances(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != query.size()) fail("knn::classify: points and query differ in length");
    double sum = 0;
    for (size_t d = 0; d < query.size(); ++d) sum += (points[i][d] - query[d]) * (points[i][d] - query[d]);
    distances[i] = sum;
  }
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return distances[a] < distances[b]; });
  order.resize(std::min(order.size(), size_t(k)));
  std::map<int, int> votes;
  for (size_t i : order) ++votes[labels[i]];
  int most = 0;
  for (const auto& [label, count] : votes) most = std::max(most, count);
  for (size_t i : order) {  // nearest first: the first member of a class with the most votes decides
    if (votes[labels[i]] == most) return labels[i];
  }
  return labels[order.front()];
}

}  // namespace medrepro::knn
