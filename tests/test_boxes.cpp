// Box utilities against hand-worked cases: IoU, Fast R-CNN's regression targets
// and their inverse, non-maximum suppression, VOC average precision.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "papers/common/boxes.h"

using medrepro::boxes::Box;

TEST_CASE("IoU of identical, disjoint, half-overlapping, contained and empty boxes") {
  const Box a{0, 0, 2, 2};
  CHECK(medrepro::boxes::iou(a, a) == 1.0);
  CHECK(medrepro::boxes::iou(a, Box{3, 3, 4, 4}) == 0.0);
  CHECK(medrepro::boxes::iou(a, Box{1, 0, 3, 2}) == doctest::Approx(2.0 / 6.0));  // 2 shared of 4 + 4 - 2
  CHECK(medrepro::boxes::iou(a, Box{0.5, 0.5, 1.5, 1.5}) == doctest::Approx(0.25));
  CHECK(medrepro::boxes::iou(Box{1, 1, 1, 1}, Box{1, 1, 1, 1}) == 0.0);
}

TEST_CASE("encode gives Fast R-CNN's targets and decode inverts it, with and without weights") {
  const Box proposal{10, 20, 30, 60}, truth{12, 18, 40, 50};  // centres (20, 40) and (26, 34); sizes 20x40, 28x32
  const medrepro::boxes::Deltas d = medrepro::boxes::encode(proposal, truth);
  CHECK(d.dx == doctest::Approx(6.0 / 20.0));
  CHECK(d.dy == doctest::Approx(-6.0 / 40.0));
  CHECK(d.dw == doctest::Approx(std::log(28.0 / 20.0)));
  CHECK(d.dh == doctest::Approx(std::log(32.0 / 40.0)));
  for (const medrepro::boxes::DeltaWeights& w : {medrepro::boxes::DeltaWeights{}, {10, 10, 5, 5}}) {
    const Box back = medrepro::boxes::decode(proposal, medrepro::boxes::encode(proposal, truth, w), w);
    CHECK(back.x1 == doctest::Approx(truth.x1));
    CHECK(back.y1 == doctest::Approx(truth.y1));
    CHECK(back.x2 == doctest::Approx(truth.x2));
    CHECK(back.y2 == doctest::Approx(truth.y2));
  }
  CHECK_THROWS_AS(medrepro::boxes::encode(Box{0, 0, 0, 5}, truth), medrepro::Error);
}

TEST_CASE("nms keeps the best of each cluster, in decreasing score, ties by index") {
  const std::vector<Box> boxes{{0, 0, 10, 10}, {1, 1, 11, 11}, {20, 20, 30, 30}, {0, 0, 10, 10}, {21, 20, 31, 30}};
  const std::vector<double> scores{0.8, 0.9, 0.5, 0.9, 0.6};
  // IoU(0, 1) = 81 / 119 = 0.68; boxes 1 and 3 tie at 0.9, 1 first; 4 beats 2 (IoU 0.82).
  CHECK(medrepro::boxes::nms(boxes, scores, 0.5) == std::vector<size_t>{1, 4});
  CHECK(medrepro::boxes::nms(boxes, scores, 0.7) == std::vector<size_t>{1, 3, 4});
  CHECK(medrepro::boxes::nms(boxes, scores, 1.0) == std::vector<size_t>{1, 3, 0, 4, 2});
}

TEST_CASE("average precision: VOC's all-point form on a hand-worked case") {
  using medrepro::boxes::Detection;
  using medrepro::boxes::Truth;
  const std::vector<Truth> truths{{0, {0, 0, 10, 10}}, {1, {5, 5, 15, 15}}};
  // By score: a hit in image 0 (P 1, R 0.5), a second hit on the same truth (a false
  // positive: P 0.5), a miss in image 1 (IoU 9 / 155: P 1/3), a hit in image 1 (IoU 0.9: P 0.5, R 1).
  const std::vector<Detection> detections{{1, 0.6, {5, 5, 15, 14}},
                                          {0, 0.9, {0, 0, 10, 10}},
                                          {0, 0.8, {1, 0, 10, 10}},
                                          {1, 0.7, {12, 12, 20, 20}}};
  // Envelope: 1 up to recall 0.5, then 0.5: AP = 0.5 * 1 + 0.5 * 0.5.
  CHECK(medrepro::boxes::average_precision(detections, truths) == doctest::Approx(0.75));
  // A threshold the last hit (IoU 0.9) does not reach leaves recall at 0.5.
  CHECK(medrepro::boxes::average_precision(detections, truths, 0.95) == doctest::Approx(0.5));
  CHECK(medrepro::boxes::average_precision({}, truths) == 0.0);
  CHECK_THROWS_AS(medrepro::boxes::average_precision(detections, {}), medrepro::Error);
}
