#pragma once
// The classification network of Rezaei et al. §2.1, as the notes read it: AlexNet's
// convolutions with two more, average pooling after conv3 and max pooling after
// conv5 and conv6 (the seed's placement, taken literally), three fully connected
// layers with dropout, and a linear head of one score per class that the L2-SVM
// (squared hinge) or, as an ablation, softmax cross-entropy trains.
#include <cstdint>
#include <memory>
#include <string>

#include "core/nn/layers.h"
#include "papers/common/classifier.h"
#include "papers/common/model_summary.h"

namespace rezaei {

struct Architecture {
  int convolutions = 7;      // 7: the paper's network; 5: its ablation without conv6, conv7 and the pool between
  double width_scale = 1.0;  // of the convolution widths 96, 256, 384, 384, 256, 256, 256 (rounded, at least 1)
  int fc_width = 4096;
};

class ConvNet : public medrepro::papers::Classifier {
 public:
  ConvNet(const Architecture& architecture, int input_size, int classes, uint64_t seed);
  medrepro::Tensor forward(const medrepro::Tensor& x) override { return body_.forward(x); }
  medrepro::nn::Sequential& body() { return body_; }
  // One row per layer at this input size (a dry run on the device).
  std::vector<medrepro::report::LayerRow> summary();

 private:
  medrepro::nn::Sequential& body_;
  int input_size_;
};

// "seven_conv" / "five_conv" and how the report names them.
std::string architecture_id(int convolutions);
std::string architecture_name(int convolutions);

}  // namespace rezaei
