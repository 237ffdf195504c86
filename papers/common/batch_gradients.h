#pragma once
// The forward and backward half of a mini-batch SGD step, in micro-batches when
// the device cannot hold the whole batch's activations in one buffer (lavapipe
// binds at most 128 MiB: AlexNet at 227x227 or GoogLeNet at 224x224 with batch
// 64 exceed it). Each micro-batch's loss is weighted by its share of the batch,
// so the summed gradients are the batch's, up to the order of float additions.
// Dropout masks differ from an unsplit batch's (each micro-batch draws its own).
#include <cstdint>

#include "core/tensor.h"
#include "papers/common/classifier.h"
#include "papers/common/classifier_loss.h"

namespace medrepro::papers {

class BatchGradients {
 public:
  // Accumulates d(objective)/d(parameter) into the parameters' gradients (the
  // caller zeroes them first) and returns the final classifier's mean loss over the
  // batch, a one-element tensor. `targets` has the batch on its first axis
  // (BatchLoss::targets). The objective adds the auxiliary heads'
  // weighted losses. `step` seeds the dropout masks. The first batch a device
  // refuses (DeviceLimitExceeded) is retried in twice as many micro-batches until
  // it fits; later batches start from that count.
  Tensor accumulate(Classifier& model, const Tensor& inputs, const Tensor& targets, int64_t step,
                    const BatchLoss& loss = BatchLoss());

  int micro_batches() const { return micro_batches_; }

 private:
  Tensor accumulate_split(Classifier& model, const Tensor& inputs, const Tensor& targets, int64_t step,
                          const BatchLoss& loss);

  int micro_batches_ = 1;
};

}  // namespace medrepro::papers
