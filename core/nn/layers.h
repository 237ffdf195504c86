#pragma once
// The layers of the CNNs reproduced here, each a thin module over a core op.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/nn/module.h"
#include "core/ops/conv2d.h"
#include "core/ops/lrn.h"
#include "core/ops/pool2d.h"

namespace medrepro::nn {

// Multiply-add work of the Conv2d and Linear forwards run on this thread since the
// last reset, counted as 2 FLOPs per multiply-add (for model summaries).
double forward_flops();
void reset_forward_flops();

struct WeightInit {
  enum class Kind { Gaussian, XavierUniform, HeNormal };
  Kind kind = Kind::XavierUniform;
  float sd = 0.01f;    // Gaussian only
  float bias = 0.0f;   // constant bias value
  static WeightInit gaussian(float sd, float bias = 0.0f) { return {Kind::Gaussian, sd, bias}; }
  static WeightInit xavier(float bias = 0.0f) { return {Kind::XavierUniform, 0.0f, bias}; }
  static WeightInit he(float bias = 0.0f) { return {Kind::HeNormal, 0.0f, bias}; }
};

// Fills a layer's weight (one tensor or its row blocks) as `init` says and its
// bias (if defined) with init.bias.
void initialise(std::span<const Tensor> weight, const Tensor& bias, const WeightInit& init, uint64_t seed);
inline void initialise(const Tensor& weight, const Tensor& bias, const WeightInit& init, uint64_t seed) {
  initialise(std::span<const Tensor>(&weight, 1), bias, init, seed);
}

// Biases learn at twice the rate and without weight decay, as in the Caffe
// reference models (LeNet, AlexNet, GoogLeNet) the papers trained.
class Conv2d : public Module {
 public:
  const Tensor& weight() const { return weight_->value; }
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride = 1, int pad = 0,
         WeightInit init = {}, uint64_t seed = 0);
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel_h, int kernel_w, Conv2dOptions options,
         WeightInit init, uint64_t seed);
  Tensor forward(const Tensor& x) override;
  std::string describe() const override;
  const Conv2dOptions& options() const { return options_; }

 private:
  Parameter* weight_;
  Parameter* bias_;
  Conv2dOptions options_;
};

// A weight larger than the device's biggest buffer (AlexNet's fc6 at 227x227:
// 144 MiB against lavapipe's 128 MiB) is held as equal row blocks, parameters
// "weight.part0", "weight.part1", ...; otherwise it is the one parameter "weight".
// Either way the layer computes, and is initialised to, the same values.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, WeightInit init = {}, uint64_t seed = 0);
  Tensor forward(const Tensor& x) override;  // [N, in] (higher ranks are flattened from axis 1)
  std::string describe() const override;
  // The weight [out, in] as its row blocks, in order (one block where it fits a buffer).
  std::vector<Tensor> weight_blocks() const;

 private:
  int64_t in_features_, out_features_;
  std::vector<Parameter*> weight_;
  Parameter* bias_;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string describe() const override { return "ReLU"; }
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Pool2dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string describe() const override;

 private:
  Pool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Pool2dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string describe() const override;

 private:
  Pool2dOptions options_;
};

class GlobalAvgPool2d : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C]
  std::string describe() const override { return "GlobalAvgPool"; }
};

class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(LrnOptions options = {}) : options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string describe() const override;

 private:
  LrnOptions options_;
};

// Inverted dropout while training, identity in evaluation. The mask of each
// training forward comes from (seed, step), so a run, resumed or not, repeats.
class Dropout : public Module {
 public:
  Dropout(float p, uint64_t seed) : p_(p), seed_(seed) {}
  Tensor forward(const Tensor& x) override;
  void set_training_step(int64_t step) override { step_ = step; }
  std::string describe() const override;

 private:
  float p_;
  uint64_t seed_;
  int64_t step_ = 0;
};

class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x.flatten(1); }
  std::string describe() const override { return "Flatten"; }
};

class Sequential : public Module {
 public:
  template <class M>
  M& add(std::unique_ptr<M> module) {
    M& ref = add_module(std::to_string(layers_.size()), std::move(module));
    layers_.push_back(&ref);
    return ref;
  }
  template <class M, class... Args>
  M& emplace(Args&&... args) {
    return add(std::make_unique<M>(std::forward<Args>(args)...));
  }
  Tensor forward(const Tensor& x) override;
  std::string describe() const override { return "Sequential"; }
  size_t size() const { return layers_.size(); }
  Module& layer(size_t i) { return *layers_.at(i); }

 private:
  std::vector<Module*> layers_;
};

}  // namespace medrepro::nn
