// Input pipelines of the classifier loop (papers/common/examples.h) and the losses
// and optimisers it offers beyond softmax cross-entropy with SGD: each learns a toy
// task on the device.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/init.h"
#include "core/nn/layers.h"
#include "core/nn/norm_layers.h"
#include "core/nn/volumetric_layers.h"
#include "papers/common/classifier_training.h"
#include "testing.h"

namespace nn = medrepro::nn;
namespace papers = medrepro::papers;
using medrepro::Tensor;

namespace {

struct SequentialClassifier : papers::Classifier {
  SequentialClassifier() : body(add_module("body", std::make_unique<nn::Sequential>())) {}
  Tensor forward(const Tensor& x) override { return body.forward(x); }
  nn::Sequential& body;
};

// Two-channel 8x8 images in noise: the class is the brighter channel.
papers::ArrayExamples brighter_channel(size_t count) {
  medrepro::Rng rng(5);
  std::vector<float> values, labels;
  for (size_t n = 0; n < count; ++n) {
    const int label = int(n % 2);
    for (int channel = 0; channel < 2; ++channel) {
      for (int v = 0; v < 64; ++v) values.push_back(float(rng.uniform()) + (channel == label ? 0.4f : 0.0f));
    }
    labels.push_back(float(label));
  }
  return papers::ArrayExamples({2, 8, 8}, values, labels, 2);
}

// 1x4x6x6 volumes of noise with a bright 2x2x2 cube; two labels: the cube is in the top
// half, the cube is in the left half.
papers::ArrayExamples cube_quadrants(size_t count) {
  medrepro::Rng rng(9);
  std::vector<float> values, labels;
  for (size_t n = 0; n < count; ++n) {
    const int z = int(rng.below(3)), y = int(rng.below(5)), x = int(rng.below(5));
    for (int d = 0; d < 4; ++d) {
      for (int h = 0; h < 6; ++h) {
        for (int w = 0; w < 6; ++w) {
          const bool cube = d >= z && d < z + 2 && h >= y && h < y + 2 && w >= x && w < x + 2;
          values.push_back(0.3f * float(rng.uniform()) + (cube ? 1.0f : 0.0f));
        }
      }
    }
    labels.push_back(y + 1 < 3 ? 1.0f : 0.0f);
    labels.push_back(x + 1 < 3 ? 1.0f : 0.0f);
  }
  return papers::ArrayExamples({1, 4, 6, 6}, values, labels, 2, true);
}

void split(size_t count, std::vector<size_t>& train, std::vector<size_t>& val, std::vector<size_t>& test) {
  for (size_t i = 0; i < count; ++i) (i % 5 == 3 ? val : i % 5 == 4 ? test : train).push_back(i);
}

}  // namespace

TEST_CASE("ArrayExamples batches any example shape and checks its labels") {
  std::vector<float> values(3 * 2 * 2 * 3);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i);
  const papers::ArrayExamples sequences({2, 2, 3}, values, {0, 2, 1}, 3);  // 3 sequences of 2 slices of 2x3
  CHECK(sequences.size() == 3);
  CHECK(sequences.input_shape() == medrepro::Shape{2, 2, 3});
  std::vector<float> inputs, targets;
  const std::vector<size_t> items{2, 0};
  sequences.batch(items, 0, inputs, targets);
  CHECK(targets == std::vector<float>{1, 0});
  CHECK(inputs.size() == 24);
  CHECK(inputs[0] == 24.0f);
  CHECK(inputs[12] == 0.0f);
  CHECK_THROWS_WITH_AS(papers::ArrayExamples({2, 2, 3}, values, {0, 3, 1}, 3),
                       doctest::Contains("not a class index below 3"), medrepro::Error);
  CHECK_THROWS_WITH_AS(papers::ArrayExamples({2, 2, 3}, values, {0, 1}, 3), doctest::Contains("2 labels for 3"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(papers::ArrayExamples({5, 7}, values, {0}, 3), doctest::Contains("whole examples"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(papers::ArrayExamples({2, 2, 3}, values, {0, 1, 0, 1, 0, 2}, 2, true),
                       doctest::Contains("not in [0, 1]"), medrepro::Error);
}

TEST_CASE("augmentation is seeded per example and moves every plane of an example alike") {
  std::vector<float> values(2 * 3 * 4);  // 1 example: 2 slices of 3x4
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 12);
  medrepro::datasets::AugmentOptions mirror;
  mirror.flip_x = 1.0;
  const papers::ArrayExamples examples({2, 3, 4}, values, {0}, 1, false, mirror);
  std::vector<float> inputs, targets;
  examples.batch(std::vector<size_t>{0}, 0, inputs, targets);
  CHECK(inputs == values);  // seed 0: as stored
  examples.batch(std::vector<size_t>{0}, 17, inputs, targets);
  for (int slice = 0; slice < 2; ++slice) {
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 4; ++x) CHECK(inputs[size_t(slice * 12 + y * 4 + x)] == float(y * 4 + 3 - x));
    }
  }
  medrepro::datasets::AugmentOptions rotation;
  rotation.rotation = {1.0, -20.0, 20.0};
  const auto a = papers::augment_params(rotation, 5, 3), b = papers::augment_params(rotation, 5, 3);
  const auto c = papers::augment_params(rotation, 6, 3), d = papers::augment_params(rotation, 5, 4);
  CHECK(a.angle == b.angle);
  CHECK(a.angle != c.angle);
  CHECK(a.angle != d.angle);
}

TEST_CASE("ImageExamples batches exactly as make_batch does") {
  medrepro::datasets::ImageSet set;
  set.height = 5;
  set.width = 7;
  set.class_names = {"a", "b"};
  for (int n = 0; n < 3; ++n) {
    for (int v = 0; v < 35; ++v) set.pixels.push_back(uint8_t(n * 40 + v));
    set.labels.push_back(n % 2);
  }
  const medrepro::datasets::BatchOptions input{4, 6, 0.5f, 0.25f};
  const papers::ImageExamples examples(set, input);
  CHECK(examples.input_shape() == medrepro::Shape{1, 4, 6});
  const std::vector<size_t> items{2, 1};
  std::vector<float> images, labels, inputs, targets;
  medrepro::datasets::make_batch(set, items, input, images, labels);
  examples.batch(items, 99, inputs, targets);  // nothing to augment: the seed changes nothing
  CHECK(inputs == images);
  CHECK(targets == labels);
}

TEST_CASE("multi-channel images: RMSProp with the squared hinge learns which channel is brighter") {
  const papers::ArrayExamples examples = brighter_channel(100);
  std::vector<size_t> train, val, test;
  split(examples.size(), train, val, test);
  SequentialClassifier net;
  net.body.emplace<nn::Conv2d>(2, 4, 3, 1, 1, nn::WeightInit::he(), 21);
  net.body.emplace<nn::ReLU>();
  net.body.emplace<nn::GlobalAvgPool2d>();
  net.body.emplace<nn::Linear>(4, 2, nn::WeightInit::xavier(), 22);
  papers::TrainingConfig config;
  config.name = "hinge";
  config.epochs = 12;
  config.batch_size = 10;
  config.loss = papers::LossKind::SquaredHinge;
  medrepro::RmsPropOptions rmsprop;
  rmsprop.learning_rate = 0.01f;
  config.make_optimizer = papers::rmsprop_optimizer(rmsprop);
  const auto result = papers::train_classifier(net, examples, train, val, test, config);
  REQUIRE_FALSE(result.diverged_at_step.has_value());
  CHECK(result.epochs.back().train_loss < 0.5 * result.epochs.front().train_loss);
  CHECK(result.test.accuracy >= 90.0);
  REQUIRE(result.test.predictions.size() == test.size());
  CHECK(result.test.predictions[0].probabilities.size() == 2);  // raw scores

  config.class_weights = {1.0f, 2.0f};
  SequentialClassifier other;
  CHECK_THROWS_WITH_AS(papers::train_classifier(other, examples, train, val, test, config),
                       doctest::Contains("class weights apply to softmax cross-entropy"), medrepro::Error);
}

TEST_CASE("volumes with two labels each: Adam with multi-label BCE learns where the cube is") {
  const papers::ArrayExamples examples = cube_quadrants(150);
  std::vector<size_t> train, val, test;
  split(examples.size(), train, val, test);
  SequentialClassifier net;
  net.body.emplace<nn::Conv3d>(1, 2, 3, 1, 1, nn::WeightInit::he(), 31);
  net.body.emplace<nn::ReLU>();
  net.body.emplace<nn::Flatten>();
  net.body.emplace<nn::Linear>(2 * 4 * 6 * 6, 2, nn::WeightInit::xavier(), 32);
  papers::TrainingConfig config;
  config.name = "multi-label";
  config.epochs = 10;
  config.batch_size = 10;
  config.loss = papers::LossKind::MultiLabelBce;
  config.pos_weight = {1.0f, 1.5f};
  medrepro::AdamOptions adam;
  adam.learning_rate = 0.01f;
  config.make_optimizer = papers::adam_optimizer(adam);
  const auto result = papers::train_classifier(net, examples, train, val, test, config);
  REQUIRE_FALSE(result.diverged_at_step.has_value());
  CHECK(result.test.accuracy >= 85.0);  // of the 2 x 30 test labels
  REQUIRE(result.test.predictions.size() == test.size());
  CHECK(result.test.predictions[0].targets.size() == 2);
  CHECK(result.test.predictions[0].truth == -1);

  config.loss = papers::LossKind::SoftmaxCrossEntropy;
  config.pos_weight.clear();
  SequentialClassifier other;
  CHECK_THROWS_WITH_AS(papers::train_classifier(other, examples, train, val, test, config),
                       doctest::Contains("needs one class per example"), medrepro::Error);
}

TEST_CASE("an augmented RMSProp run resumes from its checkpoint to the numbers of an uninterrupted one") {
  const papers::ArrayExamples plain = brighter_channel(60);
  std::vector<float> values, labels;
  std::vector<size_t> all(plain.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  plain.batch(all, 0, values, labels);
  medrepro::datasets::AugmentOptions augment;
  augment.flip_x = 0.5;
  augment.rotation = {0.5, -15.0, 15.0};
  const papers::ArrayExamples examples({2, 8, 8}, values, labels, 2, false, augment);
  std::vector<size_t> train, val, test;
  split(examples.size(), train, val, test);
  auto build = [](SequentialClassifier& n) {
    n.body.emplace<nn::Conv2d>(2, 3, 3, 1, 1, nn::WeightInit::he(), 51);
    n.body.emplace<nn::ReLU>();
    n.body.emplace<nn::GlobalAvgPool2d>();
    n.body.emplace<nn::Linear>(3, 2, nn::WeightInit::xavier(), 52);
  };
  papers::TrainingConfig config;
  config.name = "augmented";
  config.epochs = 3;
  config.batch_size = 8;
  config.make_optimizer = papers::rmsprop_optimizer({0.005f, 0.9f, 1e-7f, 0.0f});
  SequentialClassifier straight;
  build(straight);
  const auto uninterrupted = papers::train_classifier(straight, examples, train, val, test, config);

  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "medrepro_augmented_resume";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  config.checkpoint_path = (dir / "run.ckpt").string();
  config.epochs = 1;
  SequentialClassifier first;
  build(first);
  papers::train_classifier(first, examples, train, val, test, config);
  config.epochs = 3;
  SequentialClassifier second;
  build(second);
  const auto resumed = papers::train_classifier(second, examples, train, val, test, config);
  CHECK(resumed.resumed);
  REQUIRE(resumed.epochs.size() == 3);
  for (size_t e = 0; e < 3; ++e) CHECK(resumed.epochs[e].val_loss == uninterrupted.epochs[e].val_loss);
  CHECK(resumed.test.loss == uninterrupted.test.loss);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a last batch of one example joins the batch before it, where batch norm could not normalise it") {
  const papers::ArrayExamples examples = brighter_channel(9);  // 9 = 2 x 4 + 1
  const std::vector<size_t> train{0, 1, 2, 3, 4, 5, 6, 7, 8}, test{0, 1};
  auto build = [](SequentialClassifier& net) {
    net.body.emplace<nn::Flatten>();
    net.body.emplace<nn::Linear>(128, 3, nn::WeightInit::xavier(), 31);
    net.body.emplace<nn::BatchNorm>(3);
    net.body.emplace<nn::Linear>(3, 2, nn::WeightInit::xavier(), 32);
  };
  papers::TrainingConfig config;
  config.name = "fold";
  config.epochs = 2;
  config.batch_size = 4;
  config.make_optimizer = papers::adam_optimizer({});
  SequentialClassifier unfolded;
  build(unfolded);
  CHECK_THROWS_WITH_AS(papers::train_classifier(unfolded, examples, train, {}, test, config),
                       doctest::Contains("more than one value per channel"), medrepro::Error);
  config.fold_single_example_batch = true;
  SequentialClassifier folded;
  build(folded);
  const auto result = papers::train_classifier(folded, examples, train, {}, test, config);
  CHECK(result.epochs.size() == 2);
  CHECK(result.test.predictions.size() == 2);
}
