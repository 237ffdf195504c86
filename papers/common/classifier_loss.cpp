#include "papers/common/classifier_loss.h"

#include <cmath>

#include "core/error.h"
#include "core/ops/activations.h"
#include "core/ops/binary_loss.h"
#include "core/ops/hinge_loss.h"
#include "core/ops/loss.h"
#include "core/ops/softmax.h"

namespace medrepro::papers {

std::string loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::SoftmaxCrossEntropy: return "softmax cross-entropy";
    case LossKind::MultiLabelBce: return "multi-label binary cross-entropy";
    case LossKind::SquaredHinge: return "squared hinge";
  }
  return "?";
}

BatchLoss::BatchLoss(LossKind kind, size_t classes, std::vector<float> class_weights, std::vector<float> pos_weight)
    : kind_(kind), classes_(classes) {
  if (!class_weights.empty()) {
    if (kind != LossKind::SoftmaxCrossEntropy) fail("class weights apply to softmax cross-entropy, not " + loss_name(kind));
    if (class_weights.size() != classes) {
      fail(std::to_string(class_weights.size()) + " class weights for " + std::to_string(classes) + " classes");
    }
    class_weights_ = Tensor::from_host({int64_t(classes)}, class_weights);
  }
  if (!pos_weight.empty()) {
    if (kind != LossKind::MultiLabelBce) fail("pos_weight applies to multi-label BCE, not " + loss_name(kind));
    if (pos_weight.size() != classes) {
      fail(std::to_string(pos_weight.size()) + " positive weights for " + std::to_string(classes) + " labels");
    }
    pos_weight_ = Tensor::from_host({int64_t(classes)}, pos_weight);
  }
}

Tensor BatchLoss::targets(const std::vector<float>& host_targets, size_t count) const {
  switch (kind_) {
    case LossKind::SoftmaxCrossEntropy: return Tensor::from_host({int64_t(count)}, host_targets);
    case LossKind::MultiLabelBce: return Tensor::from_host({int64_t(count), int64_t(classes_)}, host_targets);
    case LossKind::SquaredHinge:
      return Tensor::from_host({int64_t(count), int64_t(classes_)}, one_vs_rest_signs(host_targets, classes_));
  }
  fail("unknown loss");
}

Tensor BatchLoss::operator()(const Tensor& logits, const Tensor& targets) const {
  switch (kind_) {
    case LossKind::SoftmaxCrossEntropy: return cross_entropy(logits, targets, class_weights_);
    case LossKind::MultiLabelBce: return bce_with_logits(logits, targets, pos_weight_);
    case LossKind::SquaredHinge: return squared_hinge(logits, targets);
  }
  fail("unknown loss");
}

std::vector<float> BatchLoss::outputs(const Tensor& logits) const {
  switch (kind_) {
    case LossKind::SoftmaxCrossEntropy: return softmax(logits).to_host();
    case LossKind::MultiLabelBce: return sigmoid(logits).to_host();
    case LossKind::SquaredHinge: return logits.to_host();
  }
  fail("unknown loss");
}

double BatchLoss::chance_loss() const {
  switch (kind_) {
    case LossKind::SoftmaxCrossEntropy: return std::log(double(classes_));
    case LossKind::MultiLabelBce: return std::log(2.0);
    case LossKind::SquaredHinge: return 1.0;
  }
  return 1.0;
}

}  // namespace medrepro::papers
