#include "papers/wong_segmentation_features/classifiers.h"

#include <memory>
#include <string>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/nn/norm_layers.h"
#include "core/nn/volumetric_layers.h"
#include "core/ops/pool2d.h"
#include "core/ops/pool3d.h"

namespace medrepro::wong {
namespace {

constexpr float kKerasMomentum = 0.01f, kKerasEps = 1e-3f;

void add_pool(nn::Sequential& body, int dims) {
  if (dims == 2) body.emplace<nn::MaxPool2d>(pool2d(2, 2));
  else body.emplace<nn::MaxPool3d>(pool3d(2, 2));
}

void add_convolution(nn::Sequential& body, int dims, int64_t in, int64_t out, uint64_t seed) {
  if (dims == 2) body.emplace<nn::Conv2d>(in, out, 3, 1, 1, nn::WeightInit::xavier(), seed);
  else body.emplace<nn::Conv3d>(in, out, 3, 1, 1, nn::WeightInit::xavier(), seed);
  body.emplace<nn::BatchNorm>(out, kKerasEps, kKerasMomentum);
  body.emplace<nn::ReLU>();
}

void add_dense(nn::Sequential& body, int64_t in, int64_t out, float dropout, uint64_t seed) {
  body.emplace<nn::Linear>(in, out, nn::WeightInit::xavier(), seed);
  body.emplace<nn::BatchNorm>(out, kKerasEps, kKerasMomentum);
  body.emplace<nn::ReLU>();
  body.emplace<nn::Dropout>(dropout, seed + 1);
}

// Elements per channel after `poolings` halvings of every axis; fails unless each divides.
int64_t pooled_size(const std::vector<int64_t>& extent, int dims, int poolings, const char* who) {
  if (int(extent.size()) != dims) fail(std::string(who) + ": input_extent needs " + std::to_string(dims) + " sizes");
  int64_t size = 1;
  for (int64_t e : extent) {
    if (e <= 0 || e % (int64_t(1) << poolings) != 0) {
      fail(std::string(who) + ": spatial size " + std::to_string(e) + " does not survive " + std::to_string(poolings) +
           " halvings");
    }
    size *= e >> poolings;
  }
  return size;
}

}  // namespace

FeatureHead::FeatureHead(const HeadOptions& o) : body_(add_module("body", std::make_unique<nn::Sequential>())) {
  if (o.dims != 2 && o.dims != 3) fail("FeatureHead: dims must be 2 or 3");
  const int64_t pooled = pooled_size(o.input_extent, o.dims, o.repeats + 1, "FeatureHead");
  uint64_t seed = o.seed * 1000;
  add_pool(body_, o.dims);
  int64_t channels = o.in_channels, width = o.conv_channels;
  for (int r = 0; r < o.repeats; ++r) {
    add_convolution(body_, o.dims, channels, width, seed++);
    add_pool(body_, o.dims);
    channels = width;
    if (o.double_channels) width *= 2;
  }
  body_.emplace<nn::Flatten>();
  add_dense(body_, channels * pooled, o.fc_units, o.dropout, seed += 2);
  add_dense(body_, o.fc_units, o.fc_units, o.dropout, seed += 2);
  body_.emplace<nn::Linear>(o.fc_units, o.classes, nn::WeightInit::xavier(), seed + 2);
}

FeatureClassifier::FeatureClassifier(std::unique_ptr<MNet> features, const HeadOptions& head)
    : segmenter_(add_module("segmenter", std::move(features))),
      head_(add_module("head", std::make_unique<FeatureHead>(head))) {
  if (head.in_channels != segmenter_.feature_channels()) {
    fail("FeatureClassifier: the head reads " + std::to_string(head.in_channels) + " channels, the M-Net gives " +
         std::to_string(segmenter_.feature_channels()));
  }
  segmenter_.freeze();
}

Tensor FeatureClassifier::forward(const Tensor& x) { return head_(segmenter_.features(x)); }

Scratch::Scratch(const ScratchOptions& o) : body_(add_module("body", std::make_unique<nn::Sequential>())) {
  if (o.dims != 2 && o.dims != 3) fail("Scratch: dims must be 2 or 3");
  const int64_t pooled = pooled_size(o.input_extent, o.dims, 5, "Scratch");
  const int convolutions[5] = {2, 2, 3, 3, 3};
  const int64_t widths[5] = {1, 2, 4, 8, 8};
  uint64_t seed = o.seed * 1000;
  int64_t channels = o.in_channels;
  for (int block = 0; block < 5; ++block) {
    for (int c = 0; c < convolutions[block]; ++c) {
      add_convolution(body_, o.dims, channels, o.conv_channels * widths[block], seed++);
      channels = o.conv_channels * widths[block];
    }
    add_pool(body_, o.dims);
  }
  body_.emplace<nn::Flatten>();
  add_dense(body_, channels * pooled, o.fc_units, o.dropout, seed += 2);
  add_dense(body_, o.fc_units, o.fc_units, o.dropout, seed += 2);
  body_.emplace<nn::Linear>(o.fc_units, o.classes, nn::WeightInit::xavier(), seed + 2);
}

}  // namespace medrepro::wong
