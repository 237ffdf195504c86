#include <doctest/doctest.h>

#include "core/optim.h"
#include "testing.h"

using medrepro::MomentumConvention;
using medrepro::Sgd;
using medrepro::SgdOptions;
using medrepro::Tensor;
using medrepro::nn::Parameter;

namespace {

// The float64 SGD of core/optim.h for one parameter.
struct ReferenceSgd {
  std::vector<double> w, v;

  void step(const std::vector<float>& grad, const SgdOptions& o, double lr_mult, double decay_mult) {
    const double lr = double(o.learning_rate) * lr_mult, decay = double(o.weight_decay) * decay_mult;
    for (size_t i = 0; i < w.size(); ++i) {
      const double direction = grad[i] + decay * w[i];
      if (o.convention == MomentumConvention::Caffe) {
        v[i] = o.momentum * v[i] + lr * direction;
        w[i] -= v[i];
      } else {
        v[i] = o.momentum * v[i] + direction;
        w[i] -= lr * v[i];
      }
    }
  }
};

}  // namespace

// 4100 values take the four-at-a-time kernel, 7 the one-at-a-time one.
TEST_CASE("SGD with momentum matches a float64 reference in both conventions and both kernels") {
  for (MomentumConvention convention : {MomentumConvention::Caffe, MomentumConvention::PyTorch}) {
    CAPTURE(int(convention));
    const SgdOptions options{0.05f, 0.9f, 0.01f, convention};
    const auto w0 = testing::random_values(4100, 1), b0 = testing::random_values(7, 2);
    Parameter weight{"weight", Tensor::from_host({41, 100}, w0)};
    Parameter bias{"bias", Tensor::from_host({7}, b0), 2.0f, 0.0f};
    weight.value.set_requires_grad(true);
    bias.value.set_requires_grad(true);
    Sgd sgd({&weight, &bias}, options);
    ReferenceSgd ref_w{testing::to_double(w0), std::vector<double>(w0.size())};
    ReferenceSgd ref_b{testing::to_double(b0), std::vector<double>(b0.size())};
    for (uint32_t step = 0; step < 3; ++step) {
      const auto gw = testing::random_values(w0.size(), 10 + step, -2.0f, 2.0f);
      const auto gb = testing::random_values(b0.size(), 20 + step, -1.0f, 1.0f);
      testing::set_gradient(weight.value, gw);
      testing::set_gradient(bias.value, gb);
      sgd.step();
      ref_w.step(gw, options, 1.0, 1.0);
      ref_b.step(gb, options, 2.0, 0.0);
      testing::check_close(weight.value.to_host(), ref_w.w, 1e-5, 1e-6, "weight");
      testing::check_close(bias.value.to_host(), ref_b.w, 1e-5, 1e-6, "bias");
      testing::check_close(sgd.momentum_buffers()[0].to_host(), ref_w.v, 1e-5, 1e-6, "weight momentum");
      testing::check_close(sgd.momentum_buffers()[1].to_host(), ref_b.v, 1e-5, 1e-6, "bias momentum");
    }
  }
}
