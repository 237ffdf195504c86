// The dense segmentation loop (papers/common/segmentation_training.h) learns a toy
// task on the device, and an interrupted run resumes to the same numbers.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/init.h"
#include "core/nn/layers.h"
#include "papers/common/region_metrics.h"
#include "papers/common/segmentation_training.h"
#include "testing.h"

namespace fs = std::filesystem;
namespace nn = medrepro::nn;
namespace papers = medrepro::papers;
using medrepro::Tensor;

namespace {

// 20x24 slices of noise with a bright disk (label 1) of radius 3 to 5 somewhere.
std::vector<papers::SegmentationCase> disks(int count) {
  medrepro::Rng rng(17);
  std::vector<papers::SegmentationCase> cases;
  for (int n = 0; n < count; ++n) {
    papers::SegmentationCase c;
    c.id = "disk" + std::to_string(n);
    medrepro::datasets::Volume image(1, 20, 24);
    c.labels = medrepro::datasets::LabelVolume(1, 20, 24);
    const int cy = 5 + int(rng.below(10)), cx = 5 + int(rng.below(14)), radius = 3 + int(rng.below(3));
    for (int y = 0; y < 20; ++y) {
      for (int x = 0; x < 24; ++x) {
        const bool inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= radius * radius;
        image.at(0, y, x) = float(rng.uniform()) * 0.6f + (inside ? 0.7f : 0.0f);
        c.labels.at(0, y, x) = inside ? 1 : 0;
      }
    }
    c.channels.push_back(image);
    cases.push_back(c);
  }
  return cases;
}

std::unique_ptr<nn::Sequential> segmenter() {
  auto net = std::make_unique<nn::Sequential>();
  net->emplace<nn::Conv2d>(1, 6, 3, 1, 1, nn::WeightInit::he(), 41);
  net->emplace<nn::ReLU>();
  net->emplace<nn::Conv2d>(6, 2, 3, 1, 1, nn::WeightInit::xavier(), 42);
  return net;
}

papers::SegmentationConfig config_for(const std::string& name) {
  papers::SegmentationConfig config;
  config.name = name;
  config.epochs = 6;
  config.classes = 2;
  config.geometry.volumetric = false;
  config.geometry.output = {1, 10, 10};
  config.segments_per_epoch = 48;
  config.validation_segments = 16;
  config.batch_size = 8;
  medrepro::AdamOptions adam;
  adam.learning_rate = 0.02f;
  config.make_optimizer = papers::adam_optimizer(adam);
  return config;
}

}  // namespace

TEST_CASE("the segmentation loop learns bright disks, and tiled inference finds them in unseen slices") {
  const auto cases = disks(14);
  std::vector<size_t> train, val;
  for (size_t i = 0; i < 10; ++i) (i < 8 ? train : val).push_back(i);
  auto net = segmenter();
  papers::SegmentationConfig config = config_for("disks");
  config.class_weights = {1.0f, 2.0f};
  config.augment.flip_x = 0.5;
  config.augment.rotate90 = 0.5;
  const auto result = papers::train_segmenter(*net, cases, train, val, config);
  REQUIRE_FALSE(result.diverged_at_step.has_value());
  REQUIRE(result.epochs.size() == 6);
  CHECK(result.epochs.back().val_loss < 0.5 * result.epochs.front().val_loss);
  CHECK(result.epochs.back().val_accuracy > 95.0);
  for (size_t test = 10; test < 14; ++test) {
    CAPTURE(test);
    const auto predicted = papers::predict_case(*net, cases[test], config.geometry);
    const auto scores = medrepro::metrics::region_scores(cases[test].labels.data, predicted.data, std::vector<int>{1});
    CHECK(scores.dice > 0.8);
  }
}

TEST_CASE("an interrupted segmentation run resumes to the numbers of an uninterrupted one") {
  const auto cases = disks(6);
  const std::vector<size_t> train{0, 1, 2, 3}, val{4, 5};
  const fs::path dir = fs::temp_directory_path() / "medrepro_segmentation_resume";
  fs::remove_all(dir);
  fs::create_directories(dir);
  papers::SegmentationConfig config = config_for("resume");
  config.epochs = 3;
  config.early_stopping = medrepro::EarlyStoppingOptions{medrepro::MetricMode::Min, 5, 0.0};
  auto straight = segmenter();
  const auto uninterrupted = papers::train_segmenter(*straight, cases, train, val, config);

  config.checkpoint_path = (dir / "run.ckpt").string();
  config.epochs = 1;  // the interruption: the first run stops after an epoch
  auto first = segmenter();
  papers::train_segmenter(*first, cases, train, val, config);
  config.epochs = 3;
  auto second = segmenter();
  const auto resumed = papers::train_segmenter(*second, cases, train, val, config);
  CHECK(resumed.resumed);
  REQUIRE(resumed.epochs.size() == uninterrupted.epochs.size());
  for (size_t e = 0; e < resumed.epochs.size(); ++e) {
    CHECK(resumed.epochs[e].train_loss == uninterrupted.epochs[e].train_loss);
    CHECK(resumed.epochs[e].val_loss == uninterrupted.epochs[e].val_loss);
  }
  CHECK(resumed.best_epoch == uninterrupted.best_epoch);
  CHECK(papers::predict_case(*second, cases[5], config.geometry).data ==
        papers::predict_case(*straight, cases[5], config.geometry).data);

  config.name = "another";
  auto third = segmenter();
  CHECK_THROWS_WITH_AS(papers::train_segmenter(*third, cases, train, val, config),
                       doctest::Contains("belongs to another run"), medrepro::Error);
  fs::remove_all(dir);
}
