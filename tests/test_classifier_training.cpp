// The shared classification training loop: an interrupted run resumed from its
// per-epoch checkpoint ends with exactly the numbers of an uninterrupted one.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "core/init.h"
#include "core/memory.h"
#include "core/nn/layers.h"
#include "core/ops/elementwise.h"
#include "papers/common/classifier_training.h"
#include "papers/common/divergence.h"
#include "testing.h"

namespace fs = std::filesystem;
namespace nn = medrepro::nn;
using medrepro::Tensor;

namespace {

// Horizontal or vertical bars in noise, 12x12, as uint8 images.
medrepro::datasets::ImageSet bars(int count) {
  medrepro::datasets::ImageSet set;
  set.height = set.width = 12;
  set.class_names = {"horizontal", "vertical"};
  medrepro::Rng rng(3);
  for (int n = 0; n < count; ++n) {
    const int label = n % 2, at = 2 + static_cast<int>(rng.below(8));
    for (int y = 0; y < 12; ++y) {
      for (int x = 0; x < 12; ++x) {
        const bool bar = label == 0 ? y == at : x == at;
        set.pixels.push_back(static_cast<uint8_t>((bar ? 180 : 40) + rng.below(40)));
      }
    }
    set.labels.push_back(label);
    set.files.push_back(std::to_string(n));
  }
  return set;
}

struct Net : medrepro::papers::Classifier {
  Net() : body(add_module("body", std::make_unique<nn::Sequential>())) {
    body.emplace<nn::Conv2d>(1, 4, 3, 1, 1, nn::WeightInit::he(), 11);
    body.emplace<nn::ReLU>();
    body.emplace<nn::MaxPool2d>(medrepro::pool2d(2, 2));
    body.emplace<nn::Flatten>();
    body.emplace<nn::Linear>(4 * 6 * 6, 16, nn::WeightInit::xavier(), 12);
    body.emplace<nn::ReLU>();
    body.emplace<nn::Dropout>(0.3f, 13);  // the resumed run must draw the same masks
    body.emplace<nn::Linear>(16, 2, nn::WeightInit::xavier(), 14);
  }
  Tensor forward(const Tensor& x) override { return body.forward(x); }
  nn::Sequential& body;
};

}  // namespace

TEST_CASE("a run interrupted after an epoch resumes to the same final numbers") {
  const auto set = bars(60);
  std::vector<size_t> train, val, test;
  for (size_t i = 0; i < 60; ++i) (i < 40 ? train : i < 50 ? val : test).push_back(i);
  const fs::path dir = fs::temp_directory_path() / ("medrepro_resume_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  medrepro::papers::TrainingConfig config;
  config.name = "bars";
  config.epochs = 3;
  config.batch_size = 8;
  config.sgd = {0.05f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe};
  config.input = {12, 12, 0.0f, 1.0f};
  Net straight;
  const auto uninterrupted = medrepro::papers::train_classifier(straight, set, train, val, test, config);

  config.checkpoint_path = (dir / "bars.ckpt").string();
  config.epochs = 1;  // "interrupted" after the first epoch
  Net first;
  medrepro::papers::train_classifier(first, set, train, val, test, config);
  config.epochs = 3;
  Net second;  // a fresh process would build the model anew
  const auto resumed = medrepro::papers::train_classifier(second, set, train, val, test, config);

  CHECK(resumed.resumed);
  REQUIRE(resumed.epochs.size() == 3);
  for (size_t e = 0; e < 3; ++e) {
    CHECK(resumed.epochs[e].train_loss == uninterrupted.epochs[e].train_loss);
    CHECK(resumed.epochs[e].val_loss == uninterrupted.epochs[e].val_loss);
  }
  CHECK(resumed.test.loss == uninterrupted.test.loss);
  REQUIRE(resumed.test.predictions.size() == uninterrupted.test.predictions.size());
  for (size_t i = 0; i < resumed.test.predictions.size(); ++i) {
    CHECK(resumed.test.predictions[i].probabilities == uninterrupted.test.predictions[i].probabilities);
  }
  CHECK(uninterrupted.test.accuracy >= 80.0);  // it learned something

  config.name = "a run too short for its checkpoint interval";
  config.checkpoint_path = (dir / "short.ckpt").string();
  config.checkpoint_interval_seconds = 1e9;
  Net fourth;
  medrepro::papers::train_classifier(fourth, set, train, val, test, config);
  CHECK_FALSE(fs::exists(config.checkpoint_path));

  config.name = "another run";
  config.checkpoint_path = (dir / "bars.ckpt").string();
  config.checkpoint_interval_seconds = 0;
  Net third;
  CHECK_THROWS_WITH_AS(medrepro::papers::train_classifier(third, set, train, val, test, config),
                       doctest::Contains("belongs to another run"), medrepro::Error);
  fs::remove_all(dir);
}

// Trains `net` on 24 bar images (3 batches of 8 per epoch), validating on 8, testing on 8.
medrepro::papers::TrainingResult train_on_bars(Net& net, const std::string& name, int epochs,
                                               const medrepro::SgdOptions& sgd) {
  const auto set = bars(40);
  std::vector<size_t> train, val, test;
  for (size_t i = 0; i < 40; ++i) (i < 24 ? train : i < 32 ? val : test).push_back(i);
  medrepro::papers::TrainingConfig config;
  config.name = name;
  config.epochs = epochs;
  config.batch_size = 8;
  config.sgd = sgd;
  config.input = {12, 12, 0.0f, 1.0f};
  return medrepro::papers::train_classifier(net, set, train, val, test, config);
}

TEST_CASE("a diverging run is stopped and reported, not thrown") {
  Net net;  // a learning rate that overflows float within steps
  const auto result = train_on_bars(net, "too fast", 4, {1e30f, 0.9f, 0.0f, medrepro::MomentumConvention::Caffe});
  REQUIRE(result.diverged_at_step.has_value());
  CHECK(*result.diverged_at_step < 4 * 3);
  CHECK(result.epochs.size() < 4);
  CHECK(result.test.predictions.empty());
  CHECK(result.divergence.find("too fast training loss is") != std::string::npos);
}

// Trains as Net does, but its evaluation logits overflow (to +-Inf), so the validation loss is not finite.
struct OverflowingInEvaluation : Net {
  std::vector<Head> training_heads(const Tensor& x) override { return {{Net::forward(x), 1.0f}}; }
  Tensor forward(const Tensor& x) override {
    return medrepro::scale(medrepro::scale(Net::forward(x), 1e30f), 1e30f);
  }
};

TEST_CASE("a run whose validation loss is not finite is stopped as diverged, not tested") {
  OverflowingInEvaluation net;
  const auto result =
      train_on_bars(net, "overflowing", 3, {0.05f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe});
  REQUIRE(result.diverged_at_step.has_value());
  CHECK(*result.diverged_at_step == 2);  // the last step of the first epoch (3 batches)
  CHECK(result.epochs.size() == 1);
  CHECK(result.test.predictions.empty());
  CHECK(result.divergence.find("overflowing validation loss is") != std::string::npos);
}

TEST_CASE("a training loss more than ten times chance ends the run as diverged, though finite") {
  const double chance = std::log(5.0);
  CHECK_FALSE(medrepro::papers::finite_blow_up(1.5, chance));
  CHECK_FALSE(medrepro::papers::finite_blow_up(10 * chance, chance));
  CHECK(medrepro::papers::finite_blow_up(10.001 * chance, chance));
  CHECK(medrepro::papers::finite_blow_up(2.9e24, chance));  // LeNet's epoch 6 in the default report of 2f2dc1d

  // Logits scaled by 1e4 make the untrained net confidently wrong on about half the
  // images: a large, finite loss that a learning rate of 0 keeps where it is.
  struct ConfidentlyWrong : Net {
    Tensor forward(const Tensor& x) override { return medrepro::scale(Net::forward(x), 1e4f); }
  } blown_up;
  const medrepro::SgdOptions frozen{0.0f, 0.0f, 0.0f, medrepro::MomentumConvention::Caffe};
  const auto result = train_on_bars(blown_up, "confident", 3, frozen);
  REQUIRE(result.diverged_at_step.has_value());
  CHECK(*result.diverged_at_step == 2);  // the last step of the first epoch
  CHECK(result.epochs.size() == 1);
  CHECK(std::isfinite(result.epochs[0].train_loss));
  CHECK(result.epochs[0].train_loss > 10 * std::log(2.0));
  CHECK(result.test.predictions.empty());
  CHECK(result.divergence.find("confident mean training loss") != std::string::npos);

  Net unscaled;  // the same net at its ordinary scale is near chance and trains on
  const auto control = train_on_bars(unscaled, "unscaled", 3, frozen);
  CHECK_FALSE(control.diverged_at_step.has_value());
  CHECK(control.epochs.size() == 3);
}

TEST_CASE("evaluation on a device with small buffers splits its batches and gives the same numbers") {
  const auto set = bars(30);
  std::vector<size_t> items(30);
  for (size_t i = 0; i < items.size(); ++i) items[i] = i;
  const medrepro::datasets::BatchOptions input{12, 12, 0.0f, 1.0f};
  Net net;
  const auto whole = medrepro::papers::evaluate(net, set, items, input, 30, true);
  // A batch of 30 has a 68 KiB convolution output (2.25 KiB per image); 16 KiB buffers hold 7 images or fewer.
  const medrepro::ScopedBufferLimit small_buffers(16 << 10);
  const auto split = medrepro::papers::evaluate(net, set, items, input, 30, true);
  CHECK(split.accuracy == whole.accuracy);
  CHECK(split.loss == doctest::Approx(whole.loss).epsilon(1e-6));
  REQUIRE(split.predictions.size() == whole.predictions.size());
  for (size_t i = 0; i < split.predictions.size(); ++i) {
    CHECK(split.predictions[i].item == whole.predictions[i].item);
    CHECK(split.predictions[i].probabilities == whole.predictions[i].probabilities);
  }
  CHECK_THROWS_AS(
      [&] {
        const medrepro::ScopedBufferLimit tiny_buffers(1 << 10);  // not even one image's activations
        medrepro::papers::evaluate(net, set, items, input, 30, false);
      }(),
      medrepro::DeviceLimitExceeded);
}
