#include "papers/khan_yong_anatomy/models.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/concat.h"
#include "core/ops/pool2d.h"

namespace khan_yong {
namespace {

using medrepro::Conv2dOptions;
using medrepro::pool2d;
using W = nn::WeightInit;

// Output shape of `layers` for one image of size x size (a dry run on the device).
Shape trunk_output(nn::Module& layers, int size) {
  medrepro::NoGradGuard no_grad;
  return layers.forward(Tensor::zeros({1, 1, size, size})).shape();
}

int64_t features(const Shape& shape) {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

class Sequential : public SequentialClassifier {
 public:
  Sequential() : body_(add_module("layers", std::make_unique<nn::Sequential>())) {}
  nn::Sequential& body() override { return body_; }

 private:
  nn::Sequential& body_;
};

// A layer a ReLU follows, and a classifier: their reference filler under the
// Digits reading, He-normal or Xavier with zero bias under UnitHe.
W hidden(Reading reading, W reference) { return reading == Reading::UnitHe ? W::he() : reference; }
W classifier(Reading reading, W reference) { return reading == Reading::UnitHe ? W::xavier() : reference; }

// Caffe pools with ceil mode; its reference nets use it throughout.
medrepro::Pool2dOptions caffe_max_pool(int kernel, int stride) { return pool2d(kernel, stride, 0, true); }

// 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max-pool -> 1x1; concatenated along channels.
class Inception : public nn::Module {
 public:
  Inception(int64_t in, int64_t c1, int64_t r3, int64_t c3, int64_t r5, int64_t c5, int64_t pool_projection,
            uint64_t seed, Reading reading) {
    const W init = hidden(reading, W::xavier(0.2f));
    one_ = &add_module("1x1", make_branch());
    one_->emplace<nn::Conv2d>(in, c1, 1, 1, 0, init, seed);
    one_->emplace<nn::ReLU>();
    three_ = &add_module("3x3", make_branch());
    three_->emplace<nn::Conv2d>(in, r3, 1, 1, 0, init, seed + 1);
    three_->emplace<nn::ReLU>();
    three_->emplace<nn::Conv2d>(r3, c3, 3, 1, 1, init, seed + 2);
    three_->emplace<nn::ReLU>();
    five_ = &add_module("5x5", make_branch());
    five_->emplace<nn::Conv2d>(in, r5, 1, 1, 0, init, seed + 3);
    five_->emplace<nn::ReLU>();
    five_->emplace<nn::Conv2d>(r5, c5, 5, 1, 2, init, seed + 4);
    five_->emplace<nn::ReLU>();
    pool_ = &add_module("pool", make_branch());
    pool_->emplace<nn::MaxPool2d>(pool2d(3, 1, 1));
    pool_->emplace<nn::Conv2d>(in, pool_projection, 1, 1, 0, init, seed + 5);
    pool_->emplace<nn::ReLU>();
  }
  std::string describe() const override { return "Inception"; }
  Tensor forward(const Tensor& x) override {
    return medrepro::concat_channels({one_->forward(x), three_->forward(x), five_->forward(x), pool_->forward(x)});
  }

 private:
  static std::unique_ptr<nn::Sequential> make_branch() { return std::make_unique<nn::Sequential>(); }
  nn::Sequential *one_, *three_, *five_, *pool_;
};

class GoogLeNet : public SequentialClassifier {
 public:
  GoogLeNet(int input_size, int classes, uint64_t seed, Reading reading)
      : body_(add_module("main", std::make_unique<nn::Sequential>())) {
    const W init = hidden(reading, W::xavier(0.2f));
    nn::Sequential& b = body_;
    b.emplace<nn::Conv2d>(1, 64, 7, 2, 3, init, seed + 1);
    b.emplace<nn::ReLU>();
    b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
    b.emplace<nn::LocalResponseNorm>();
    b.emplace<nn::Conv2d>(64, 64, 1, 1, 0, init, seed + 2);
    b.emplace<nn::ReLU>();
    b.emplace<nn::Conv2d>(64, 192, 3, 1, 1, init, seed + 3);
    b.emplace<nn::ReLU>();
    b.emplace<nn::LocalResponseNorm>();
    b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
    b.emplace<Inception>(192, 64, 96, 128, 16, 32, 32, seed + 10, reading);     // 3a
    b.emplace<Inception>(256, 128, 128, 192, 32, 96, 64, seed + 20, reading);   // 3b
    b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
    b.emplace<Inception>(480, 192, 96, 208, 16, 48, 64, seed + 30, reading);    // 4a
    aux1_at_ = b.size();
    b.emplace<Inception>(512, 160, 112, 224, 24, 64, 64, seed + 40, reading);   // 4b
    b.emplace<Inception>(512, 128, 128, 256, 24, 64, 64, seed + 50, reading);   // 4c
    b.emplace<Inception>(512, 112, 144, 288, 32, 64, 64, seed + 60, reading);   // 4d
    aux2_at_ = b.size();
    b.emplace<Inception>(528, 256, 160, 320, 32, 128, 128, seed + 70, reading); // 4e
    b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
    b.emplace<Inception>(832, 256, 160, 320, 32, 128, 128, seed + 80, reading); // 5a
    b.emplace<Inception>(832, 384, 192, 384, 48, 128, 128, seed + 90, reading); // 5b
    b.emplace<nn::GlobalAvgPool2d>();
    b.emplace<nn::Dropout>(0.4f, seed + 100);
    b.emplace<nn::Linear>(1024, classes, classifier(reading, W::xavier()), seed + 101);
    // Side heads see the 4a and 4d maps: 14x14 at 224x224 input, smaller below.
    const Shape map = stage_shape(input_size, aux1_at_);
    aux1_ = &add_module("aux1", make_aux(512, map[2], classes, seed + 200, reading));
    aux2_ = &add_module("aux2", make_aux(528, map[2], classes, seed + 300, reading));
  }

  nn::Sequential& body() override { return body_; }

  std::vector<Head> training_heads(const Tensor& x) override {
    std::vector<Head> heads(3);
    Tensor h = x;
    for (size_t i = 0; i < body_.size(); ++i) {
      h = body_.layer(i).forward(h);
      if (i + 1 == aux1_at_) heads[1] = {aux1_->forward(h), 0.3f};
      if (i + 1 == aux2_at_) heads[2] = {aux2_->forward(h), 0.3f};
    }
    heads[0] = {h, 1.0f};
    return heads;
  }

 private:
  // Average-pool 5x5/3 (as in the paper at 14x14; a smaller map is pooled with
  // the largest kernel that fits), 1x1 conv 128 + ReLU, fc 1024 + ReLU, dropout 0.7, fc.
  static std::unique_ptr<nn::Sequential> make_aux(int64_t in, int64_t map, int classes, uint64_t seed,
                                                  Reading reading) {
    auto aux = std::make_unique<nn::Sequential>();
    const int kernel = static_cast<int>(std::min<int64_t>(5, map));
    aux->emplace<nn::AvgPool2d>(pool2d(kernel, 3));
    aux->emplace<nn::Conv2d>(in, 128, 1, 1, 0, hidden(reading, W::xavier(0.2f)), seed);
    aux->emplace<nn::ReLU>();
    const int64_t pooled = (map - kernel) / 3 + 1;
    aux->emplace<nn::Linear>(128 * pooled * pooled, 1024, hidden(reading, W::xavier(0.2f)), seed + 1);
    aux->emplace<nn::ReLU>();
    aux->emplace<nn::Dropout>(0.7f, seed + 2);
    aux->emplace<nn::Linear>(1024, classes, classifier(reading, W::xavier()), seed + 3);
    return aux;
  }
  Shape stage_shape(int input_size, size_t layers) {
    medrepro::NoGradGuard no_grad;
    Tensor h = Tensor::zeros({1, 1, input_size, input_size});
    for (size_t i = 0; i < layers; ++i) h = body_.layer(i).forward(h);
    return h.shape();
  }

  nn::Sequential& body_;
  nn::Sequential* aux1_ = nullptr;
  nn::Sequential* aux2_ = nullptr;
  size_t aux1_at_ = 0, aux2_at_ = 0;
};

}  // namespace

std::unique_ptr<SequentialClassifier> make_lenet(int input_size, int classes, uint64_t seed, Reading reading) {
  auto model = std::make_unique<Sequential>();
  nn::Sequential& b = model->body();
  b.emplace<nn::Conv2d>(1, 20, 5, 1, 0, hidden(reading, W::xavier()), seed + 1);
  b.emplace<nn::MaxPool2d>(pool2d(2, 2));
  b.emplace<nn::Conv2d>(20, 50, 5, 1, 0, hidden(reading, W::xavier()), seed + 2);
  b.emplace<nn::MaxPool2d>(pool2d(2, 2));
  b.emplace<nn::Flatten>();
  const int64_t flat = features(trunk_output(b, input_size));
  b.emplace<nn::Linear>(flat, 500, hidden(reading, W::xavier()), seed + 3);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Linear>(500, classes, classifier(reading, W::xavier()), seed + 4);
  return model;
}

// AlexNet's first stage, which the proposed CNN keeps: conv 96@11x11/4, ReLU, LRN, max-pool 3/2.
static void add_alexnet_conv1(nn::Sequential& b, uint64_t seed, Reading reading) {
  b.emplace<nn::Conv2d>(1, 96, 11, 4, 0, hidden(reading, W::gaussian(0.01f, 0.0f)), seed + 1);
  b.emplace<nn::ReLU>();
  b.emplace<nn::LocalResponseNorm>();
  b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
}

std::unique_ptr<SequentialClassifier> make_alexnet(int input_size, int classes, uint64_t seed, Reading reading) {
  auto model = std::make_unique<Sequential>();
  nn::Sequential& b = model->body();
  add_alexnet_conv1(b, seed, reading);
  b.emplace<nn::Conv2d>(96, 256, 5, 1, 2, hidden(reading, W::gaussian(0.01f, 0.1f)), seed + 2);
  b.emplace<nn::ReLU>();
  b.emplace<nn::LocalResponseNorm>();
  b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
  b.emplace<nn::Conv2d>(256, 384, 3, 1, 1, hidden(reading, W::gaussian(0.01f, 0.0f)), seed + 3);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Conv2d>(384, 384, 3, 1, 1, hidden(reading, W::gaussian(0.01f, 0.1f)), seed + 4);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Conv2d>(384, 256, 3, 1, 1, hidden(reading, W::gaussian(0.01f, 0.1f)), seed + 5);
  b.emplace<nn::ReLU>();
  b.emplace<nn::MaxPool2d>(caffe_max_pool(3, 2));
  b.emplace<nn::Flatten>();
  const int64_t flat = features(trunk_output(b, input_size));
  b.emplace<nn::Linear>(flat, 4096, hidden(reading, W::gaussian(0.005f, 0.1f)), seed + 6);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Dropout>(0.5f, seed + 7);
  b.emplace<nn::Linear>(4096, 4096, hidden(reading, W::gaussian(0.005f, 0.1f)), seed + 8);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Dropout>(0.5f, seed + 9);
  b.emplace<nn::Linear>(4096, classes, classifier(reading, W::gaussian(0.01f, 0.0f)), seed + 10);
  return model;
}

std::unique_ptr<SequentialClassifier> make_proposed_cnn(int input_size, int classes, uint64_t seed, Reading reading) {
  auto model = std::make_unique<Sequential>();
  nn::Sequential& b = model->body();
  add_alexnet_conv1(b, seed, reading);
  b.emplace<nn::Conv2d>(96, 256, 5, 2, 2, hidden(reading, W::gaussian(0.01f, 0.1f)), seed + 2);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Conv2d>(256, 384, 3, 2, 1, hidden(reading, W::gaussian(0.01f, 0.0f)), seed + 3);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Conv2d>(384, 256, 3, 2, 1, hidden(reading, W::gaussian(0.01f, 0.1f)), seed + 4);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Flatten>();
  const int64_t flat = features(trunk_output(b, input_size));
  b.emplace<nn::Linear>(flat, 4096, hidden(reading, W::gaussian(0.005f, 0.1f)), seed + 5);
  b.emplace<nn::ReLU>();
  b.emplace<nn::Linear>(4096, classes, classifier(reading, W::gaussian(0.01f, 0.0f)), seed + 6);
  return model;
}

std::unique_ptr<SequentialClassifier> make_googlenet(int input_size, int classes, uint64_t seed, Reading reading) {
  return std::make_unique<GoogLeNet>(input_size, classes, seed, reading);
}

std::unique_ptr<SequentialClassifier> make_model(const std::string& name, int input_size, int classes,
                                                 uint64_t seed, Reading reading) {
  if (name == "lenet") return make_lenet(input_size, classes, seed, reading);
  if (name == "alexnet") return make_alexnet(input_size, classes, seed, reading);
  if (name == "googlenet") return make_googlenet(input_size, classes, seed, reading);
  if (name == "proposed") return make_proposed_cnn(input_size, classes, seed, reading);
  medrepro::fail("Unknown model '" + name + "': choose from lenet, alexnet, googlenet, proposed");
}

std::string reading_name(Reading reading) { return reading == Reading::Digits ? "digits" : "unit_he"; }

Reading reading_from_name(const std::string& name) {
  if (name == "digits") return Reading::Digits;
  if (name == "unit_he") return Reading::UnitHe;
  medrepro::fail("Unknown reading '" + name + "': choose digits or unit_he");
}

std::string describe(Reading reading) {
  if (reading == Reading::Digits) {
    return "DIGITS' standard networks: raw 0..255 pixels minus the training mean (LeNet: times 0.0125); Xavier "
           "(LeNet, GoogLeNet) or Gaussian 0.01/0.005 (AlexNet, proposed CNN) weights with the reference biases";
  }
  return "pixels scaled to [0, 1]; He-normal weights before every ReLU, Xavier classifiers, zero biases";
}

std::string display_name(const std::string& model) {
  if (model == "lenet") return "LeNet";
  if (model == "alexnet") return "AlexNet";
  if (model == "googlenet") return "GoogLeNet";
  if (model == "proposed") return "Proposed CNN";
  return model;
}

std::vector<LayerSummary> summarize(SequentialClassifier& model, int input_size) {
  return medrepro::report::summarize_layers(model.body(), {1, 1, input_size, input_size});
}

}  // namespace khan_yong
