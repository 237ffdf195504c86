// Micro-batches: a batch too large for the device's buffers is split, and the
// summed gradients and the loss are the whole batch's.
#include <doctest/doctest.h>

#include "core/memory.h"
#include "core/nn/layers.h"
#include "core/optim.h"
#include "papers/common/batch_gradients.h"
#include "testing.h"

namespace nn = medrepro::nn;
using medrepro::Tensor;

namespace {

// Large activations from few parameters: 8 KiB of convolution output per 16x16 image.
struct WideConvNet : medrepro::papers::Classifier {
  WideConvNet() : body(add_module("body", std::make_unique<nn::Sequential>())) {
    body.emplace<nn::Conv2d>(1, 8, 3, 1, 1, nn::WeightInit::he(), 21);
    body.emplace<nn::ReLU>();
    body.emplace<nn::GlobalAvgPool2d>();
    body.emplace<nn::Flatten>();
    body.emplace<nn::Linear>(8, 3, nn::WeightInit::xavier(), 22);
  }
  Tensor forward(const Tensor& x) override { return body.forward(x); }
  nn::Sequential& body;
};

std::vector<std::vector<float>> gradients_of(WideConvNet& net) {
  std::vector<std::vector<float>> out;
  for (nn::Parameter* p : net.parameters()) out.push_back(p->value.grad().to_host());
  return out;
}

}  // namespace

TEST_CASE("a batch over the device's buffer limit is split into micro-batches with the batch's gradients") {
  constexpr int64_t kBatch = 7;  // prime: micro-batches of unequal size
  const Tensor images = testing::random_tensor({kBatch, 1, 16, 16}, 5);
  const std::vector<float> label_values{0, 1, 2, 0, 1, 2, 1};
  const Tensor labels = Tensor::from_host({kBatch}, label_values);
  WideConvNet net;
  medrepro::Sgd sgd(net.parameters(), {});

  medrepro::papers::BatchGradients whole;
  sgd.zero_grad();
  const float whole_loss = whole.accumulate(net, images, labels, 0).item();
  const auto whole_gradients = gradients_of(net);
  CHECK(whole.micro_batches() == 1);

  medrepro::papers::BatchGradients split;
  {
    // 56 KiB of convolution output for the batch; 20 KiB buffers hold two images' worth.
    const medrepro::ScopedBufferLimit small_buffers(20 << 10);
    sgd.zero_grad();
    const float split_loss = split.accumulate(net, images, labels, 0).item();
    CHECK(split_loss == doctest::Approx(whole_loss).epsilon(1e-6));
  }
  CHECK(split.micro_batches() > 1);
  const auto split_gradients = gradients_of(net);
  REQUIRE(split_gradients.size() == whole_gradients.size());
  for (size_t p = 0; p < whole_gradients.size(); ++p) {
    REQUIRE(split_gradients[p].size() == whole_gradients[p].size());
    for (size_t i = 0; i < whole_gradients[p].size(); ++i) {
      CHECK(split_gradients[p][i] == doctest::Approx(whole_gradients[p][i]).epsilon(1e-5).scale(1e-6));
    }
  }

  // Later batches start from the split that worked.
  sgd.zero_grad();
  split.accumulate(net, images, labels, 1);
  CHECK(split.micro_batches() > 1);

  const medrepro::ScopedBufferLimit tiny_buffers(2 << 10);  // not even one image's activations
  medrepro::papers::BatchGradients hopeless;
  sgd.zero_grad();
  CHECK_THROWS_AS(hopeless.accumulate(net, images, labels, 0), medrepro::DeviceLimitExceeded);
}
