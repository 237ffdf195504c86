#pragma once
// The convolutions of Khan & Yong's four CNNs, read off the models themselves
// (papers/khan_yong_anatomy/models.cpp) by a dry run at a given input size.
#include <string>
#include <vector>

#include "core/ops/conv2d.h"
#include "core/tensor.h"

namespace medrepro::bench {

struct ConvLayer {
  std::string model;       // "lenet", "alexnet", "googlenet", "proposed"
  std::string layer;       // "conv1", "conv2", ... in the order of the model's main path
  std::string also;        // other models' layers with the very same shape, e.g. "proposed.conv1"
  int input_size = 0;      // of the model
  Shape input;             // [1, C, H, W] as the layer sees it
  Shape weight;            // [O, C, KH, KW]
  Conv2dOptions options;

  Shape output(int64_t batch) const;
  double flops(int64_t batch) const;  // of each of forward, backward-data and backward-weight
  std::string describe(int64_t batch) const;  // "64x96x27x27 -> 256@5x5 s1 p2"
};

// The Conv2d layers on the model's main path (GoogLeNet: its stem, conv1 7x7/2,
// conv2 1x1 and conv3 3x3, which stand for the inception modules' 1x1 and 3x3
// convolutions). A layer whose shape an earlier model already has is not repeated;
// the earlier one names it in `also`.
std::vector<ConvLayer> model_convs(const std::vector<std::string>& models, int input_size);

}  // namespace medrepro::bench
