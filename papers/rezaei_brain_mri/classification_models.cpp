#include "papers/rezaei_brain_mri/classification_models.h"

#include <algorithm>
#include <cmath>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/pool2d.h"

namespace rezaei {
namespace nn = medrepro::nn;
using medrepro::pool2d;
using medrepro::Tensor;
using W = nn::WeightInit;

namespace {

// Caffe's pools (ceil mode), which AlexNet's reference model uses and the notes keep.
medrepro::Pool2dOptions caffe_pool() { return pool2d(3, 2, 0, true); }

}  // namespace

ConvNet::ConvNet(const Architecture& a, int input_size, int classes, uint64_t seed)
    : body_(add_module("layers", std::make_unique<nn::Sequential>())), input_size_(input_size) {
  if (a.convolutions != 7 && a.convolutions != 5) medrepro::fail("ConvNet: 7 or 5 convolutions, not " +
                                                                 std::to_string(a.convolutions));
  if (!(a.width_scale > 0) || a.fc_width < 1) medrepro::fail("ConvNet: widths must be positive");
  auto width = [&](int channels) { return std::max<int64_t>(1, std::lround(channels * a.width_scale)); };
  const int64_t c1 = width(96), c2 = width(256), c3 = width(384), c4 = width(384), c5 = width(256),
                c6 = width(256), c7 = width(256);
  // He-normal before every ReLU, Xavier for the head, zero biases: the seed gives no
  // initialisation, and these train the deep stack from scratch without a warm-up.
  nn::Sequential& b = body_;
  b.emplace<nn::Conv2d>(1, c1, 11, 4, 0, W::he(), seed + 1);
  b.emplace<nn::ReLU>();
  b.emplace<nn::LocalResponseNorm>();
  b.emplace<nn::Conv2d>(c1, c2, 5, 1, 2, W::he(), seed + 2);
  b.emplace<nn::ReLU>();
  b.emplace<nn::LocalResponseNorm>();
  b.emplace<nn::Conv2d>(c2, c3, 3, 1, 1, W::he(), seed + 3);
  b.emplace<nn::ReLU>();
  b.emplace<nn::AvgPool2d>(caffe_pool());  // "average pooling after conv3"
  b.emplace<nn::Conv2d>(c3, c4, 3, 1, 1, W::he(), seed + 4);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Conv2d>(c4, c5, 3, 1, 1, W::he(), seed + 5);
  b.emplace<nn::ReLU>();
  b.emplace<nn::MaxPool2d>(caffe_pool());  // "max pooling after conv5"
  if (a.convolutions == 7) {
    b.emplace<nn::Conv2d>(c5, c6, 3, 1, 1, W::he(), seed + 6);
    b.emplace<nn::ReLU>();
    b.emplace<nn::MaxPool2d>(caffe_pool());  // "and after conv6"
    b.emplace<nn::Conv2d>(c6, c7, 3, 1, 1, W::he(), seed + 7);
    b.emplace<nn::ReLU>();
  }
  b.emplace<nn::Flatten>();
  int64_t flat = 0;
  {
    medrepro::NoGradGuard no_grad;
    const medrepro::Shape out = b.forward(Tensor::zeros({1, 1, input_size, input_size})).shape();
    flat = out[1];
  }
  int64_t in = flat;
  for (int layer = 0; layer < 3; ++layer) {  // three fully connected layers, each regularised by dropout
    b.emplace<nn::Linear>(in, a.fc_width, W::he(), seed + 10 + 2 * uint64_t(layer));
    b.emplace<nn::ReLU>();
    b.emplace<nn::Dropout>(0.5f, seed + 11 + 2 * uint64_t(layer));
    in = a.fc_width;
  }
  b.emplace<nn::Linear>(in, classes, W::xavier(), seed + 20);  // one score per class
}

std::vector<medrepro::report::LayerRow> ConvNet::summary() {
  return medrepro::report::summarize_layers(body_, {1, 1, input_size_, input_size_});
}

std::string architecture_id(int convolutions) { return convolutions == 7 ? "seven_conv" : "five_conv"; }

std::string architecture_name(int convolutions) {
  return convolutions == 7 ? "7-conv CNN (the paper's)" : "5-conv CNN (ablation)";
}

}  // namespace rezaei
