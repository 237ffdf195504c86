// k-nearest neighbours on hand-placed points: majority, distance ties, vote ties, refusals.
#include <doctest/doctest.h>

#include <vector>

#include "core/error.h"
#include "papers/common/knn.h"

TEST_CASE("knn: the majority of the k nearest, ties broken by index and by the nearest member") {
  const std::vector<std::vector<double>> points{{0, 0}, {1, 0}, {0, 1}, {5, 5}, {6, 5}, {5.5, 6}};
  const std::vector<int> labels{0, 0, 1, 2, 2, 2};
  CHECK(medrepro::knn::classify(points, labels, std::vector<double>{0.2, 0.1}, 1) == 0);
  CHECK(medrepro::knn::classify(points, labels, std::vector<double>{0.1, 0.9}, 1) == 1);
  CHECK(medrepro::knn::classify(points, labels, std::vector<double>{0.1, 0.9}, 3) == 0);  // two 0s against one 1
  CHECK(medrepro::knn::classify(points, labels, std::vector<double>{3, 3}, 6) == 2);
  // (0.5, 0.5) is equally far from points 0, 1 and 2; k = 2 takes 0 and 1 (lower index first).
  CHECK(medrepro::knn::classify(points, labels, std::vector<double>{0.5, 0.5}, 2) == 0);
  // A 1-1 vote: class 1's member (0, 1) is nearer to (0.1, 0.8) than class 0's (0, 0) is.
  const std::vector<std::vector<double>> pair{{0, 0}, {0, 1}};
  CHECK(medrepro::knn::classify(pair, std::vector<int>{0, 1}, std::vector<double>{0.1, 0.8}, 2) == 1);
  CHECK(medrepro::knn::classify(pair, std::vector<int>{0, 1}, std::vector<double>{0.1, 0.2}, 5) == 0);  // k cut to 2
  CHECK_THROWS_AS(medrepro::knn::classify(pair, std::vector<int>{0}, std::vector<double>{0, 0}, 1), medrepro::Error);
  CHECK_THROWS_AS(medrepro::knn::classify(pair, std::vector<int>{0, 1}, std::vector<double>{0}, 1), medrepro::Error);
}
