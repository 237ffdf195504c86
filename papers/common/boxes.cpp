#include "papers/common/boxes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace medrepro::boxes {
namespace {

// Indices sorted by decreasing score, ties in index order.
std::vector<size_t> by_score(std::span<const double> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

double iou(const Box& a, const Box& b) {
  const double w = std::max(0.0, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const double h = std::max(0.0, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const double intersection = w * h, united = a.area() + b.area() - intersection;
  return united > 0 ? intersection / united : 0.0;
}

Deltas encode(const Box& proposal, const Box& truth, const DeltaWeights& weights) {
  if (!(proposal.width() > 0) || !(proposal.height() > 0) || !(truth.width() > 0) || !(truth.height() > 0)) {
    fail("boxes::encode: the proposal and the truth need a positive width and height");
  }
  const double px = proposal.x1 + 0.5 * proposal.width(), py = proposal.y1 + 0.5 * proposal.height();
  const double tx = truth.x1 + 0.5 * truth.width(), ty = truth.y1 + 0.5 * truth.height();
  return {weights.x * (tx - px) / proposal.width(), weights.y * (ty - py) / proposal.height(),
          weights.w * std::log(truth.width() / proposal.width()),
          weights.h * std::log(truth.height() / proposal.height())};
}

Box decode(const Box& proposal, const Deltas& deltas, const DeltaWeights& weights) {
  const double px = proposal.x1 + 0.5 * proposal.width(), py = proposal.y1 + 0.5 * proposal.height();
  const double cx = px + deltas.dx / weights.x * proposal.width(), cy = py + deltas.dy / weights.y * proposal.height();
  const double w = proposal.width() * std::exp(deltas.dw / weights.w);
  const double h = proposal.height() * std::exp(deltas.dh / weights.h);
  return {cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h};
}

std::vector<size_t> nms(std::span<const Box> boxes, std::span<const double> scores, double iou_threshold) {
  if (boxes.size() != scores.size()) fail("boxes::nms: one score per box");
  std::vector<size_t> kept;
  for (size_t candidate : by_score(scores)) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](size_t k) {
      return iou(boxes[candidate], boxes[k]) > iou_threshold;
    });
    if (!overlaps) kept.push_back(candidate);
  }
  return kept;
}

double average_precision(std::span<const Detection> detections, std::span<const Truth> truths, double iou_threshold) {
  if (truths.empty()) fail("boxes::average_precision: no ground truth boxes");
  std::vector<double> scores;
  for (const Detection& d : detections) scores.push_back(d.score);
  std::vector<bool> matched(truths.size(), false);
  std::vector<double> precision, recall;
  size_t true_positives = 0, seen = 0;
  for (size_t index : by_score(scores)) {
    const Detection& d = detections[index];
    double best = -1;
    size_t best_truth = truths.size();
    for (size_t t = 0; t < truths.size(); ++t) {
      if (truths[t].image != d.image || matched[t]) continue;
      const double overlap = iou(d.box, truths[t].box);
      if (overlap > best) {
        best = overlap;
        best_truth = t;
      }
    }
    ++seen;
    if (best_truth < truths.size() && best >= iou_threshold) {
      matched[best_truth] = true;
      ++true_positives;
    }
    precision.push_back(double(true_positives) / double(seen));
    recall.push_back(double(true_positives) / double(truths.size()));
  }
  // The precision envelope from the right, then the area over each rise in recall.
  for (size_t i = precision.size(); i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
  double area = 0, previous_recall = 0;
  for (size_t i = 0; i < precision.size(); ++i) {
    area += (recall[i] - previous_recall) * precision[i];
    previous_recall = recall[i];
  }
  return area;
}

}  // namespace medrepro::boxes
