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

namespace {

// 60 bar images: 40 to train, 10 to validate, 10 to test.
struct BarsSplit {
  medrepro::datasets::ImageSet set = bars(60);
  std::vector<size_t> train, val, test;
  BarsSplit() {
    for (size_t i = 0; i < 60; ++i) (i < 40 ? train : i < 50 ? val : test).push_back(i);
  }
};

medrepro::papers::TrainingConfig adam_with_schedules(const std::string& name) {
  medrepro::papers::TrainingConfig config;
  config.name = name;
  config.epochs = 12;
  config.batch_size = 8;
  config.input = {12, 12, 0.0f, 1.0f};
  config.make_optimizer = medrepro::papers::adam_optimizer({.learning_rate = 0.01f});
  config.plateau = medrepro::PlateauOptions{.factor = 0.5, .patience = 0};
  config.early_stopping = medrepro::EarlyStoppingOptions{.patience = 2};
  // Validation accuracy reaches 100% within a few epochs and cannot improve after
  // that (the validation loss falls every epoch): the schedules act.
  config.monitor = medrepro::papers::Monitor::ValidationAccuracy;
  return config;
}

}  // namespace

TEST_CASE("Adam with a plateau schedule and early stopping learns the bars and tests its best epoch") {
  const BarsSplit data;
  auto config = adam_with_schedules("adam");
  config.early_stopping->patience = 1;  // stops at the first epoch that does not improve, so the last is not the best
  Net net;
  const auto result = medrepro::papers::train_classifier(net, data.set, data.train, data.val, data.test, config);
  REQUIRE_FALSE(result.diverged_at_step.has_value());
  CHECK(result.test.accuracy >= 90.0);

  // The best epoch is the first with the highest validation accuracy, and its weights are the ones tested.
  size_t best = 0;
  for (size_t e = 1; e < result.epochs.size(); ++e) {
    if (result.epochs[e].val_accuracy > result.epochs[best].val_accuracy) best = e;
  }
  CHECK(result.best_epoch == int(best) + 1);
  REQUIRE(result.stopped_early);
  CHECK(result.epochs.size() == best + 1 + 1);  // patience 1
  CHECK(result.epochs.back().val_loss != result.epochs[best].val_loss);
  const auto again = medrepro::papers::evaluate(net, data.set, data.val, config.input, 100, false);
  CHECK(again.loss == result.epochs[best].val_loss);

  // Patience 0: an epoch that does not raise the best validation accuracy halves the rate for the next.
  double best_accuracy = -1;
  CHECK(result.epochs[0].learning_rate == doctest::Approx(0.01));
  for (size_t e = 1; e < result.epochs.size(); ++e) {
    const bool improved = result.epochs[e - 1].val_accuracy > best_accuracy * (1 + 1e-4);
    const double expected = result.epochs[e - 1].learning_rate * (improved ? 1.0 : 0.5);
    CHECK(result.epochs[e].learning_rate == doctest::Approx(expected));
    best_accuracy = std::max(best_accuracy, result.epochs[e - 1].val_accuracy);
  }
}

TEST_CASE("a run with schedules and early stopping resumes to the same final numbers") {
  const BarsSplit data;
  const fs::path dir = fs::temp_directory_path() / ("medrepro_schedules_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto config = adam_with_schedules("scheduled");
  config.early_stopping->patience = 3;
  Net straight;
  const auto uninterrupted = medrepro::papers::train_classifier(straight, data.set, data.train, data.val, data.test, config);
  REQUIRE(uninterrupted.stopped_early);
  const int interrupted_after = uninterrupted.best_epoch + 1;  // the rate has been lowered, the stopper counts
  REQUIRE(uninterrupted.epochs[size_t(interrupted_after)].learning_rate < 0.01);

  config.checkpoint_path = (dir / "scheduled.ckpt").string();
  const int total_epochs = config.epochs;
  config.epochs = interrupted_after;
  Net first;
  medrepro::papers::train_classifier(first, data.set, data.train, data.val, data.test, config);
  config.epochs = total_epochs;
  Net second;
  const auto resumed = medrepro::papers::train_classifier(second, data.set, data.train, data.val, data.test, config);
  CHECK(resumed.resumed);
  REQUIRE(resumed.epochs.size() == uninterrupted.epochs.size());
  for (size_t e = 0; e < resumed.epochs.size(); ++e) {
    CHECK(resumed.epochs[e].val_loss == uninterrupted.epochs[e].val_loss);
    CHECK(resumed.epochs[e].learning_rate == uninterrupted.epochs[e].learning_rate);
  }
  CHECK(resumed.best_epoch == uninterrupted.best_epoch);
  CHECK(resumed.stopped_early == uninterrupted.stopped_early);
  CHECK(resumed.test.loss == uninterrupted.test.loss);
  fs::remove_all(dir);
}

TEST_CASE("class weights weight the loss, and must match the classes") {
  const BarsSplit data;
  medrepro::papers::TrainingConfig config;
  config.name = "weighted";
  config.epochs = 1;
  config.batch_size = 8;
  config.input = {12, 12, 0.0f, 1.0f};
  config.class_weights = {1.0f, 3.0f};
  Net net;
  const auto weighted = medrepro::papers::train_classifier(net, data.set, data.train, data.val, data.test, config);
  // The validation loss is the class-weighted mean: recomputed from the predictions by hand.
  const auto evaluation = medrepro::papers::evaluate(net, data.set, data.val, config.input, 100, true, config.class_weights);
  double weighted_sum = 0, weights = 0;
  for (const auto& p : evaluation.predictions) {
    const double w = config.class_weights[size_t(p.truth)];
    weighted_sum += -w * std::log(double(p.probabilities[size_t(p.truth)]));
    weights += w;
  }
  CHECK(evaluation.loss == doctest::Approx(weighted_sum / weights).epsilon(1e-5));
  CHECK(weighted.epochs[0].val_loss == evaluation.loss);

  config.class_weights = {1.0f, 2.0f, 3.0f};
  Net other;
  CHECK_THROWS_WITH_AS(medrepro::papers::train_classifier(other, data.set, data.train, data.val, data.test, config),
                       doctest::Contains("3 class weights for 2 classes"), medrepro::Error);
}
