#pragma once
// Axis-aligned boxes for detection (Rezaei et al.'s detector; Fast R-CNN's
// conventions as torchvision implements them), on the host in double precision:
// overlap, the regression targets between a proposal and a box, non-maximum
// suppression and average precision.
#include <cstddef>
#include <span>
#include <vector>

namespace medrepro::boxes {

// Corners in continuous coordinates (x1 <= x2, y1 <= y2); a box's area is
// (x2 - x1) * (y2 - y1), as torchvision's box_iou counts it.
struct Box {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width() const { return x2 - x1; }
  double height() const { return y2 - y1; }
  double area() const { return width() * height(); }
};

// Intersection over union; 0 when the union is empty.
double iou(const Box& a, const Box& b);

// Fast R-CNN's parameterisation (Girshick 2015, Eq. 6-9) of `truth` relative to
// `proposal`, each term divided by its weight's reciprocal (torchvision's
// BoxCoder weights; 1 gives the paper's): dx = wx (tx - px) / pw,
// dy = wy (ty - py) / ph, dw = ww log(tw / pw), dh = wh log(th / ph), with box
// centres (px, py) and sizes (pw, ph). Proposals of zero width or height fail.
struct Deltas {
  double dx = 0, dy = 0, dw = 0, dh = 0;
};
struct DeltaWeights {
  double x = 1, y = 1, w = 1, h = 1;
};
Deltas encode(const Box& proposal, const Box& truth, const DeltaWeights& weights = {});
// The inverse of encode.
Box decode(const Box& proposal, const Deltas& deltas, const DeltaWeights& weights = {});

// Greedy non-maximum suppression: indices of the kept boxes in decreasing score
// (ties: lower index first); a box is dropped when its IoU with a kept box is
// above iou_threshold (torchvision's nms).
std::vector<size_t> nms(std::span<const Box> boxes, std::span<const double> scores, double iou_threshold);

// Detections and ground truth over several images.
struct Detection {
  size_t image = 0;
  double score = 0;
  Box box;
};
struct Truth {
  size_t image = 0;
  Box box;
};
// Average precision at an IoU threshold, PASCAL VOC's all-point form: detections
// in decreasing score (ties: input order) each match the unmatched truth of their
// image with the highest IoU, if that IoU >= iou_threshold (a true positive;
// otherwise, or a truth already matched, a false positive); AP is the area under
// the precision-recall curve after precision is made non-increasing in recall.
// Fails without ground truth.
double average_precision(std::span<const Detection> detections, std::span<const Truth> truths,
                         double iou_threshold = 0.5);

}  // namespace medrepro::boxes
