#pragma once
// The losses of the classifier loop, one object that knows how a batch's targets
// go to the device, how the loss is taken, what the outputs mean and what loss a
// model that has learnt nothing would have (the reference for divergence).
#include <string>
#include <vector>

#include "core/tensor.h"

namespace medrepro::papers {

enum class LossKind {
  SoftmaxCrossEntropy,  // one class per example, optionally weighted per class
  MultiLabelBce,        // independent sigmoids, one binary label per output (optional pos_weight)
  SquaredHinge,         // one class per example, one-vs-rest L2-SVM margins on raw scores
};
std::string loss_name(LossKind kind);

class BatchLoss {
 public:
  BatchLoss() = default;  // unweighted softmax cross-entropy
  // class_weights: softmax cross-entropy only; pos_weight: multi-label BCE only (empty: none).
  BatchLoss(LossKind kind, size_t classes, std::vector<float> class_weights = {}, std::vector<float> pos_weight = {});

  LossKind kind() const { return kind_; }
  bool multi_label() const { return kind_ == LossKind::MultiLabelBce; }
  // Host targets of `count` examples (class indices, or count x classes binary labels)
  // as the loss takes them on the device.
  Tensor targets(const std::vector<float>& host_targets, size_t count) const;
  // The mean loss of a batch (shape [1]) from the model's outputs [count, classes].
  Tensor operator()(const Tensor& logits, const Tensor& targets) const;
  // What the outputs mean per example: softmax probabilities, sigmoid probabilities
  // (multi-label) or the raw class scores (squared hinge), row-major [count, classes].
  std::vector<float> outputs(const Tensor& logits) const;
  // The loss of outputs that are all zero, e.g. ln(classes) for softmax cross-entropy.
  double chance_loss() const;

 private:
  LossKind kind_ = LossKind::SoftmaxCrossEntropy;
  size_t classes_ = 0;
  Tensor class_weights_, pos_weight_;
};

}  // namespace medrepro::papers
