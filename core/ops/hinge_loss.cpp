#include "core/ops/hinge_loss.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"

namespace medrepro {

Tensor squared_hinge(const Tensor& scores, const Tensor& signs) {
  if (scores.shape() != signs.shape()) fail("squared_hinge: scores and signs differ in shape");
  if (scores.numel() == 0) fail("squared_hinge: no scores");
  const Tensor ones = Tensor::full(scores.shape(), 1.0f);
  const Tensor shortfall = relu(add(ones, scale(mul(signs.detach(), scores), -1.0f)));
  return mean(mul(shortfall, shortfall).reshape({scores.numel()}), 0, true);
}

std::vector<float> one_vs_rest_signs(const std::vector<float>& labels, size_t classes) {
  std::vector<float> signs(labels.size() * classes, -1.0f);
  for (size_t row = 0; row < labels.size(); ++row) {
    const float label = labels[row];
    if (!(label >= 0.0f) || label >= float(classes) || label != std::floor(label)) {
      fail("one_vs_rest_signs: label " + std::to_string(label) + " is not a class index below " + std::to_string(classes));
    }
    signs[row * classes + size_t(label)] = 1.0f;
  }
  return signs;
}

}  // namespace medrepro
