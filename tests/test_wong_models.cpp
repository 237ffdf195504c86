// Wong et al.'s M-Net: parameter counts as the paper's notes derive them, shapes in
// 2D and 3D, and gradients reaching every parameter.
#include <doctest/doctest.h>

#include "core/adam.h"
#include "core/autograd.h"
#include "core/checkpoint.h"
#include "core/ops/loss.h"
#include "core/ops/segmentation_loss.h"
#include "papers/wong_segmentation_features/classifiers.h"
#include "papers/wong_segmentation_features/mnet.h"
#include "testing.h"

using medrepro::Tensor;
using medrepro::wong::MNet;
using medrepro::wong::MNetOptions;
using medrepro::wong::SkipMode;

TEST_CASE("M-Net parameter counts: the cardiac 2D and brain 3D networks, both skip readings") {
  // Worked by hand for (A), level by level (../shared/papers/wong_segmentation_features.md:
  // 2.05M and 3.43M); (B) as the notes count it (3.09M and 5.20M).
  MNetOptions cardiac;
  cardiac.base_channels = 16;
  cardiac.labels = 17;
  MNet additive(cardiac);
  CHECK(medrepro::wong::keras_parameter_count(additive) == 2045777);
  cardiac.skip = SkipMode::Concatenated;
  MNet concatenated(cardiac);
  CHECK(medrepro::wong::keras_parameter_count(concatenated) / 10000 == 309);

  MNetOptions brain;
  brain.dims = 3;
  brain.base_channels = 12;
  brain.labels = 20;
  MNet brain_additive(brain);
  CHECK(medrepro::wong::keras_parameter_count(brain_additive) == 3432872);
  brain.skip = SkipMode::Concatenated;
  MNet brain_concatenated(brain);
  CHECK(medrepro::wong::keras_parameter_count(brain_concatenated) / 10000 == 520);
  CHECK(brain_concatenated.feature_channels() == 84);
  CHECK(concatenated.feature_channels() == 496);
}

TEST_CASE("M-Net in 2D and 3D: label scores and features at full size, gradients to every parameter") {
  for (const int dims : {2, 3}) {
    for (const SkipMode skip : {SkipMode::Additive, SkipMode::Concatenated}) {
      CAPTURE(dims);
      MNetOptions options;
      options.dims = dims;
      options.in_channels = 2;
      options.base_channels = 2;
      options.labels = 3;
      options.skip = skip;
      MNet net(options);
      const medrepro::Shape shape = dims == 2 ? medrepro::Shape{2, 2, 16, 32} : medrepro::Shape{1, 2, 16, 16, 32};
      const Tensor x = testing::random_tensor(shape, 5);
      const Tensor scores = net(x);
      medrepro::Shape expected = shape;
      expected[1] = 3;
      CHECK(scores.shape() == expected);
      {
        medrepro::NoGradGuard no_grad;
        CHECK(net.features(x).shape()[1] == (dims == 2 ? 62 : 14));
      }
      std::vector<float> labels(size_t(scores.numel() / 3));
      for (size_t i = 0; i < labels.size(); ++i) labels[i] = float(i % 3);
      medrepro::Shape label_shape = shape;
      label_shape.erase(label_shape.begin() + 1);
      medrepro::weighted_cross_entropy_nd(scores, Tensor::from_host(label_shape, labels)).backward();
      for (medrepro::nn::Parameter* p : net.parameters()) {
        CAPTURE(p->name);
        CHECK(p->value.grad().defined());
      }
    }
  }
  MNetOptions options;
  options.base_channels = 1;
  MNet net(options);
  CHECK_THROWS_WITH_AS(net(Tensor::zeros({1, 1, 24, 32})), doctest::Contains("multiples of 16"), medrepro::Error);
  CHECK_THROWS_WITH_AS(net(Tensor::zeros({1, 1, 16, 16, 16})), doctest::Contains("2D network got"), medrepro::Error);
}

TEST_CASE("the classifiers of Fig. 2: parameter counts of the cardiac configuration, worked by hand") {
  using medrepro::wong::HeadOptions;
  HeadOptions head;  // 496 features of a 128x128 M-Net at n_s 16, n_c 16, n_FC 100, r 3, 9 classes
  head.input_extent = {128, 128};
  medrepro::wong::FeatureHead constant(head);
  CHECK(medrepro::wong::keras_parameter_count(constant) == 190581);  // + 2,045,777: the notes' 2.24M
  head.double_channels = true;
  medrepro::wong::FeatureHead doubling(head);
  CHECK(medrepro::wong::keras_parameter_count(doubling) == 516533);  // the notes' 2.56M with the M-Net
  medrepro::wong::ScratchOptions scratch;
  scratch.input_extent = {128, 128};
  medrepro::wong::Scratch vgg_like(scratch);
  CHECK(medrepro::wong::keras_parameter_count(vgg_like) == 1141429);  // the paper's "~1M"
  scratch.input_extent = {100, 128};
  CHECK_THROWS_WITH_AS(medrepro::wong::Scratch{scratch}, doctest::Contains("does not survive 5 halvings"),
                       medrepro::Error);
}

TEST_CASE("a head on a frozen M-Net trains without moving the M-Net, whose weights load from its own checkpoint") {
  for (const int dims : {2, 3}) {
    CAPTURE(dims);
    MNetOptions options;
    options.dims = dims;
    options.base_channels = 2;
    options.labels = 3;
    options.seed = 7;
    MNet trained_segmenter(options);
    const medrepro::Checkpoint segmentation = medrepro::capture_training_state(trained_segmenter, nullptr);

    options.seed = 8;  // other initial weights, replaced by the checkpoint's
    auto fresh = std::make_unique<MNet>(options);
    medrepro::wong::HeadOptions head;
    head.dims = dims;
    head.in_channels = fresh->feature_channels();
    head.input_extent = std::vector<int64_t>(size_t(dims), 16);
    head.conv_channels = 3;
    head.repeats = 2;
    head.fc_units = 5;
    head.classes = 3;
    medrepro::wong::FeatureClassifier classifier(std::move(fresh), head);
    CHECK(medrepro::load_module_state(segmentation, "", classifier.segmenter()) > 0);

    const medrepro::Shape shape = dims == 2 ? medrepro::Shape{4, 1, 16, 16} : medrepro::Shape{4, 1, 16, 16, 16};
    const Tensor x = testing::random_tensor(shape, 3);
    {
      medrepro::NoGradGuard no_grad;
      trained_segmenter.eval();
      CHECK(classifier.segmenter().features(x).to_host() == trained_segmenter.features(x).to_host());
    }
    const auto before = medrepro::capture_training_state(classifier.segmenter(), nullptr);
    std::vector<medrepro::nn::Parameter*> trainable = classifier.trainable_parameters();
    for (medrepro::nn::Parameter* p : trainable) CHECK(p->name.rfind("head.", 0) == 0);
    medrepro::Adam adam(trainable, {});
    classifier.train();
    const Tensor scores = classifier(x);
    CHECK(scores.shape() == medrepro::Shape{4, 3});
    medrepro::cross_entropy(scores, Tensor::from_host({4}, std::vector<float>{0, 1, 2, 1})).backward();
    adam.step();
    const auto after = medrepro::capture_training_state(classifier.segmenter(), nullptr);
    for (const auto& [name, tensor] : before.tensors) {
      CAPTURE(name);
      CHECK(after.tensors.at(name).values == tensor.values);  // weights and running statistics
    }
  }
}
