#pragma once
// Smooth L1 (Girshick 2015, Fast R-CNN's box regression loss; PyTorch's
// smooth_l1_loss), for Rezaei et al.'s detector.
#include "core/tensor.h"

namespace medrepro {

// Element-wise smooth L1 of d: 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta
// elsewhere (beta > 0; Fast R-CNN: 1). Backward: dy * clamp(d / beta, -1, 1).
Tensor smooth_l1(const Tensor& d, float beta = 1.0f);

// The mean of smooth_l1(prediction - target) over every element, shape [1]
// (PyTorch's default reduction); only prediction receives a gradient.
Tensor smooth_l1_loss(const Tensor& prediction, const Tensor& target, float beta = 1.0f);

}  // namespace medrepro
