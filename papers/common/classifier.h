#pragma once
#include <vector>

#include "core/nn/module.h"

namespace medrepro::papers {

// A model with one final classifier, and optionally auxiliary classifiers that
// take part in training only (GoogLeNet's two side heads).
class Classifier : public nn::Module {
 public:
  struct Head {
    Tensor logits;
    float loss_weight;
  };
  // The final classifier first.
  virtual std::vector<Head> training_heads(const Tensor& x) { return {{forward(x), 1.0f}}; }
};

}  // namespace medrepro::papers
