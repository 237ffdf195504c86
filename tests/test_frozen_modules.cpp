// Frozen sub-networks and loading a sub-module's weights from another model's
// checkpoint: the pieces behind "features of a pre-trained network, a new head
// trained on top" (Wong et al.; Pereira's shared trunk).
#include <doctest/doctest.h>

#include "core/checkpoint.h"
#include "core/nn/layers.h"
#include "core/nn/norm_layers.h"
#include "core/optim.h"
#include "core/ops/loss.h"
#include "testing.h"

namespace nn = medrepro::nn;
using medrepro::Tensor;

namespace {

// features (convolution, batch norm, ReLU) then a linear head, on 1x6x6 inputs.
struct FeaturesAndHead : nn::Module {
  explicit FeaturesAndHead(uint64_t seed)
      : features(add_module("features", std::make_unique<nn::Sequential>())),
        head(add_module("head", std::make_unique<nn::Sequential>())) {
    features.emplace<nn::Conv2d>(1, 3, 3, 1, 1, nn::WeightInit::he(), seed);
    features.emplace<nn::BatchNorm>(3);
    features.emplace<nn::ReLU>();
    head.emplace<nn::Flatten>();
    head.emplace<nn::Linear>(3 * 6 * 6, 2, nn::WeightInit::xavier(), seed + 1);
  }
  Tensor forward(const Tensor& x) override { return head.forward(features.forward(x)); }
  nn::Sequential& features;
  nn::Sequential& head;
};

std::vector<std::vector<float>> values_of(const std::vector<nn::Parameter*>& parameters) {
  std::vector<std::vector<float>> out;
  for (nn::Parameter* p : parameters) out.push_back(p->value.to_host());
  return out;
}

}  // namespace

TEST_CASE("a frozen sub-network keeps its weights and statistics while the head around it trains") {
  FeaturesAndHead model(5);
  model.features.freeze();
  model.train();
  CHECK(model.training());
  CHECK(model.head.training());
  CHECK_FALSE(model.features.training());  // batch norm in evaluation mode inside a training model
  CHECK(model.trainable_parameters().size() == 2);  // the head's weight and bias
  for (nn::Parameter* p : model.trainable_parameters()) CHECK(p->name.rfind("head.", 0) == 0);

  const auto frozen_before = values_of(model.features.parameters());
  const auto buffers = model.buffers();
  std::vector<std::vector<float>> statistics_before;
  for (const auto& [name, buffer] : buffers) statistics_before.push_back(buffer.to_host());

  // The frozen features compute what they compute in evaluation mode (running statistics).
  const Tensor x = testing::random_tensor({4, 1, 6, 6}, 17);
  const std::vector<float> training_features = model.features.forward(x).to_host();
  model.eval();
  const std::vector<float> eval_features = model.features.forward(x).to_host();
  CHECK(training_features == eval_features);
  model.train();

  medrepro::Sgd sgd(model.trainable_parameters(), {0.1f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe});
  const Tensor labels = Tensor::from_host({4}, std::vector<float>{0, 1, 1, 0});
  const auto head_before = values_of(model.head.parameters());
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    medrepro::cross_entropy(model(x), labels).backward();
    for (nn::Parameter* p : model.features.parameters()) CHECK_FALSE(p->value.grad().defined());
    sgd.step();
  }
  CHECK(values_of(model.features.parameters()) == frozen_before);
  for (size_t i = 0; i < buffers.size(); ++i) CHECK(buffers[i].second.to_host() == statistics_before[i]);
  CHECK(values_of(model.head.parameters()) != head_before);

  // Thawed, the features train again and batch norm follows the model's mode.
  model.features.freeze(false);
  CHECK(model.features.training());
  CHECK(model.trainable_parameters().size() == model.parameters().size());
}

TEST_CASE("a sub-module's weights load from another model's checkpoint by name prefix, all or nothing") {
  FeaturesAndHead source(5), target(99);
  // Make the source's running statistics differ from the fresh ones.
  source.train();
  source(testing::random_tensor({4, 1, 6, 6}, 3, 0.5f, 2.0f));
  const medrepro::Checkpoint saved = medrepro::capture_training_state(source, nullptr);

  const auto head_before = values_of(target.head.parameters());
  CHECK(medrepro::load_module_state(saved, "features.", target.features) == 4 + 2);  // 4 parameters, 2 statistics
  CHECK(values_of(target.features.parameters()) == values_of(source.features.parameters()));
  for (size_t i = 0; i < target.features.buffers().size(); ++i) {
    CHECK(target.features.buffers()[i].second.to_host() == source.features.buffers()[i].second.to_host());
  }
  CHECK(values_of(target.head.parameters()) == head_before);  // untouched

  // A prefix the source lacks, or a module of another shape: an error naming the tensor, and nothing loaded.
  FeaturesAndHead fresh(7);
  const auto fresh_values = values_of(fresh.features.parameters());
  CHECK_THROWS_WITH_AS(medrepro::load_module_state(saved, "encoder.", fresh.features),
                       doctest::Contains("no tensor model.encoder.0.weight"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::load_module_state(saved, "head.", fresh.features), doctest::Contains("no tensor"),
                       medrepro::Error);
  CHECK(values_of(fresh.features.parameters()) == fresh_values);
}
