#pragma once
// The image classifiers of Wong et al. (2018, Fig. 2), in 2D and 3D:
//  - FeatureHead (Fig. 2a), on a segmentation network's features: 2^dim max
//    pooling, r x (3^dim convolution with n_c channels + batch norm + ReLU, 2^dim
//    max pooling), flatten, 2 x (fully connected n_FC + batch norm + ReLU + dropout
//    0.5), fully connected N_c. Whether n_c doubles per pooling is unstated: an option.
//  - FeatureClassifier: a frozen M-Net (evaluation mode, no gradients: its batch norm
//    uses running statistics) feeding a trained FeatureHead; the MANUAL and
//    THRESHOLD frameworks.
//  - Scratch (Fig. 2b), VGG16 with batch norm after every convolution and the first
//    two fully connected layers: blocks of 2, 2, 3, 3, 3 convolutions with n_c, 2 n_c,
//    4 n_c, 8 n_c, 8 n_c channels, each block closed by 2^dim max pooling; the SCRATCH
//    framework, trained from scratch.
// Weights Glorot-uniform, biases zero; batch norm as Keras' (momentum 0.99, eps 1e-3).
// The class scores' softmax is the loss's.
#include <cstdint>
#include <memory>
#include <vector>

#include "core/nn/layers.h"
#include "papers/common/classifier.h"
#include "papers/wong_segmentation_features/mnet.h"

namespace medrepro::wong {

struct HeadOptions {
  int dims = 2;
  int64_t in_channels = 496;          // the features' (31 n_s in 2D, 7 n_s in 3D) or the image's
  std::vector<int64_t> input_extent;  // spatial size of the input, e.g. {128, 128}
  int64_t conv_channels = 16;         // n_c
  bool double_channels = false;       // n_c, 2 n_c, 4 n_c, ... per pooling (unstated in the paper)
  int repeats = 3;                    // r
  int64_t fc_units = 100;             // n_FC
  int64_t classes = 9;                // N_c
  float dropout = 0.5f;
  uint64_t seed = 1;
};

class FeatureHead : public papers::Classifier {
 public:
  explicit FeatureHead(const HeadOptions& options);
  Tensor forward(const Tensor& x) override { return body_.forward(x); }

 private:
  nn::Sequential& body_;
};

// Owns the segmentation network; freezes it on construction.
class FeatureClassifier : public papers::Classifier {
 public:
  FeatureClassifier(std::unique_ptr<MNet> features, const HeadOptions& head);
  Tensor forward(const Tensor& x) override;
  MNet& segmenter() { return segmenter_; }

 private:
  MNet& segmenter_;
  FeatureHead& head_;
};

struct ScratchOptions {
  int dims = 2;
  int64_t in_channels = 1;
  std::vector<int64_t> input_extent;  // multiples of 32 (five poolings)
  int64_t conv_channels = 16;         // n_c (VGG16: 64)
  int64_t fc_units = 100;             // n_FC (VGG16: 4096)
  int64_t classes = 9;
  float dropout = 0.5f;
  uint64_t seed = 1;
};

class Scratch : public papers::Classifier {
 public:
  explicit Scratch(const ScratchOptions& options);
  Tensor forward(const Tensor& x) override { return body_.forward(x); }

 private:
  nn::Sequential& body_;
};

}  // namespace medrepro::wong
