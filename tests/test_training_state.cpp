// SGD, initialisers, checkpoints and the loss log.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/adam.h"
#include "core/checkpoint.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "core/nn/layers.h"
#include "core/nn/module.h"
#include "core/nn/norm_layers.h"
#include "core/ops/shape.h"
#include "core/optim.h"
#include "testing.h"

using medrepro::Tensor;
namespace fs = std::filesystem;

namespace {
struct TwoParameters : medrepro::nn::Module {
  TwoParameters(const Tensor& w, const Tensor& b) {
    add_parameter("weight", w);
    add_parameter("bias", b, 2.0f, 0.0f);
  }
  Tensor forward(const Tensor& x) override { return x; }
};

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("medrepro_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// float64 reference of both momentum conventions, with per-parameter multipliers.
void reference_sgd(std::vector<double>& w, std::vector<double>& v, const std::vector<float>& g, double lr,
                   double momentum, double wd, bool caffe) {
  for (size_t i = 0; i < w.size(); ++i) {
    const double direction = g[i] + wd * w[i];
    if (caffe) {
      v[i] = momentum * v[i] + lr * direction;
      w[i] -= v[i];
    } else {
      v[i] = momentum * v[i] + direction;
      w[i] -= lr * v[i];
    }
  }
}
}  // namespace

TEST_CASE("SGD with momentum and weight decay matches float64, both conventions, changing rate") {
  for (auto convention : {medrepro::MomentumConvention::Caffe, medrepro::MomentumConvention::PyTorch}) {
    const bool caffe = convention == medrepro::MomentumConvention::Caffe;
    auto w0 = testing::random_values(37, 1), b0 = testing::random_values(5, 2);
    TwoParameters model(Tensor::from_host({37}, w0), Tensor::from_host({5}, b0));
    medrepro::Sgd sgd(model.parameters(), {0.1f, 0.9f, 0.01f, convention});
    std::vector<double> w(w0.begin(), w0.end()), b(b0.begin(), b0.end()), vw(37, 0.0), vb(5, 0.0);
    for (int step = 0; step < 4; ++step) {
      const float rate = step < 2 ? 0.1f : 0.01f;
      sgd.set_learning_rate(rate);
      auto gw = testing::random_values(37, 10 + step), gb = testing::random_values(5, 20 + step);
      model.parameters()[0]->value.impl()->grad = Tensor::from_host({37}, gw).impl_ptr();
      model.parameters()[1]->value.impl()->grad = Tensor::from_host({5}, gb).impl_ptr();
      sgd.step();
      reference_sgd(w, vw, gw, rate, 0.9, 0.01, caffe);
      reference_sgd(b, vb, gb, 2.0 * rate, 0.9, 0.0, caffe);
    }
    testing::check_close(model.parameters()[0]->value.to_host(), w, 1e-5, 1e-6, "weights");
    testing::check_close(model.parameters()[1]->value.to_host(), b, 1e-5, 1e-6, "bias (lr_mult 2, decay 0)");
  }
}

TEST_CASE("step schedule") {
  medrepro::StepSchedule schedule{0.01f, 0.1f, 10};
  CHECK(schedule.rate(0) == doctest::Approx(0.01));
  CHECK(schedule.rate(9) == doctest::Approx(0.01));
  CHECK(schedule.rate(10) == doctest::Approx(0.001));
  CHECK(schedule.rate(25) == doctest::Approx(0.0001));
  CHECK(medrepro::StepSchedule{0.5f, 0.1f, 0}.rate(1000) == doctest::Approx(0.5));
}

TEST_CASE("initialisers: seeded, repeatable, with the right spread") {
  Tensor a = Tensor::empty({64, 32, 3, 3}), b = Tensor::empty({64, 32, 3, 3});
  medrepro::init_he_normal(a, 5);
  medrepro::init_he_normal(b, 5);
  const auto va = a.to_host();
  CHECK(va == b.to_host());
  double sum = 0, sq = 0;
  for (float v : va) sum += v, sq += double(v) * v;
  const double n = double(va.size()), mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  CHECK(std::abs(mean) < 0.01);
  CHECK(sd == doctest::Approx(std::sqrt(2.0 / (32 * 9))).epsilon(0.03));

  medrepro::init_xavier_uniform(a, 6);
  const double limit = std::sqrt(6.0 / (32 * 9 + 64 * 9));
  double max_abs = 0;
  for (float v : a.to_host()) max_abs = std::max(max_abs, double(std::abs(v)));
  CHECK(max_abs <= limit);
  CHECK(max_abs > 0.95 * limit);
  medrepro::init_gaussian(b, 0.0, 0.01, 7);
  CHECK(a.to_host() != b.to_host());
}

TEST_CASE("init_orthogonal: orthonormal columns (tall) or rows (wide), scaled by the gain, seeded") {
  // An LSTM's W_hh [4H, H] (tall), a wide [3, 7], and a conv weight [5, 2, 2, 2] as a wide [5, 8].
  for (const medrepro::Shape& shape :
       {medrepro::Shape{4 * 6, 6}, medrepro::Shape{3, 7}, medrepro::Shape{5, 2, 2, 2}}) {
    INFO(medrepro::to_string(shape));
    Tensor w = Tensor::empty(shape), again = Tensor::empty(shape);
    medrepro::init_orthogonal(w, 11, 1.5);
    medrepro::init_orthogonal(again, 11, 1.5);
    const auto v = w.to_host();
    CHECK(v == again.to_host());
    const int64_t rows = shape[0], cols = medrepro::element_count(shape) / rows;
    const bool tall = rows >= cols;
    const int64_t vectors = tall ? cols : rows, length = tall ? rows : cols;
    auto at = [&](int64_t vector, int64_t i) {
      return double(tall ? v[size_t(i * cols + vector)] : v[size_t(vector * cols + i)]);
    };
    for (int64_t a = 0; a < vectors; ++a) {
      for (int64_t b = 0; b < vectors; ++b) {
        double dot = 0;
        for (int64_t i = 0; i < length; ++i) dot += at(a, i) * at(b, i);
        CHECK(dot == doctest::Approx(a == b ? 1.5 * 1.5 : 0.0).epsilon(1e-5).scale(1.0));
      }
    }
  }
  Tensor other = Tensor::empty({24, 6}), first = Tensor::empty({24, 6});
  medrepro::init_orthogonal(first, 11);
  medrepro::init_orthogonal(other, 12);
  CHECK(first.to_host() != other.to_host());
}

TEST_CASE("checkpoint round-trip restores parameters and momentum exactly") {
  const fs::path path = temp_dir() / "state.ckpt";
  auto w0 = testing::random_values(11, 3), b0 = testing::random_values(3, 4);
  TwoParameters model(Tensor::from_host({11}, w0), Tensor::from_host({3}, b0));
  medrepro::Sgd sgd(model.parameters(), {});
  model.parameters()[0]->value.impl()->grad = testing::random_tensor({11}, 8).impl_ptr();
  model.parameters()[1]->value.impl()->grad = testing::random_tensor({3}, 9).impl_ptr();
  sgd.step();
  medrepro::Checkpoint saved = medrepro::capture_training_state(model, &sgd);
  saved.metadata["epoch"] = "3";
  medrepro::save_checkpoint(path.string(), saved);
  CHECK_FALSE(fs::exists(path.string() + ".tmp." + std::to_string(::getpid())));

  TwoParameters other(Tensor::zeros({11}), Tensor::zeros({3}));
  medrepro::Sgd other_sgd(other.parameters(), {});
  medrepro::Checkpoint loaded = medrepro::load_checkpoint(path.string());
  CHECK(loaded.metadata.at("epoch") == "3");
  medrepro::restore_training_state(loaded, other, &other_sgd);
  CHECK(other.parameters()[0]->value.to_host() == model.parameters()[0]->value.to_host());
  CHECK(other_sgd.momentum_buffers()[1].to_host() == sgd.momentum_buffers()[1].to_host());
  fs::remove_all(path.parent_path());
}

TEST_CASE("truncated, corrupt, foreign and mismatched checkpoints give clear errors") {
  const fs::path dir = temp_dir();
  const fs::path path = dir / "state.ckpt";
  TwoParameters model(testing::random_tensor({11}, 1), testing::random_tensor({3}, 2));
  medrepro::save_checkpoint(path.string(), medrepro::capture_training_state(model, nullptr));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  CHECK_THROWS_WITH_AS(medrepro::load_checkpoint(write("short", bytes.substr(0, bytes.size() - 9))),
                       doctest::Contains("truncated"), medrepro::Error);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  CHECK_THROWS_WITH_AS(medrepro::load_checkpoint(write("flipped", flipped)), doctest::Contains("CRC"),
                       medrepro::Error);
  std::string future = bytes;
  future[8] = 9;
  CHECK_THROWS_WITH_AS(medrepro::load_checkpoint(write("future", future)), doctest::Contains("version 9"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::load_checkpoint(write("foreign", "hello world, not a checkpoint")),
                       doctest::Contains("not a medrepro checkpoint"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::load_checkpoint((dir / "missing").string()), medrepro::Error);

  TwoParameters bigger(Tensor::zeros({12}), Tensor::zeros({3}));
  CHECK_THROWS_WITH_AS(medrepro::restore_training_state(medrepro::load_checkpoint(path.string()), bigger, nullptr),
                       doctest::Contains("model.weight has shape [11], the model expects [12]"), medrepro::Error);
  CHECK(bigger.parameters()[1]->value.to_host() == std::vector<float>(3, 0.0f));  // nothing half-restored
  fs::remove_all(dir);
}

TEST_CASE("the loss log names the step where the loss became NaN") {
  medrepro::LossLog log("training loss", 4);
  for (int step = 0; step < 6; ++step) log.record(Tensor::full({1}, float(step)), step);
  auto values = log.drain();  // more than the 4 slots: the first four were read back early
  REQUIRE(values.size() == 6);
  for (int step = 0; step < 6; ++step) CHECK(values[step] == std::pair<int64_t, float>(step, float(step)));
  log.record(Tensor::full({1}, 1.0f), 6);
  log.record(Tensor::full({1}, std::nanf("")), 7);
  CHECK_THROWS_WITH_AS(log.drain(), doctest::Contains("NaN at step 7"), medrepro::Error);
  log.record(Tensor::full({1}, INFINITY), 8);
  CHECK_THROWS_WITH_AS(log.drain(), doctest::Contains("Inf at step 8"), medrepro::Error);
}

TEST_CASE("checkpoints carry batch-norm running statistics and Adam's moments and step counts") {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "adam.ckpt").string();
  auto make = [] {
    auto net = std::make_unique<medrepro::nn::Sequential>();
    net->emplace<medrepro::nn::BatchNorm>(3);
    return net;
  };
  auto net = make();
  medrepro::Adam adam(net->parameters(), {});
  Tensor x = testing::random_tensor({4, 3, 2, 2}, 5);
  for (int step = 0; step < 2; ++step) {
    adam.zero_grad();
    medrepro::mean(net->forward(x).flatten(0), 0).backward();
    adam.step();
  }
  medrepro::save_checkpoint(path, medrepro::capture_training_state(*net, &adam));

  auto other = make();
  medrepro::Adam other_adam(other->parameters(), {});
  medrepro::restore_training_state(medrepro::load_checkpoint(path), *other, &other_adam);
  CHECK(other->buffers().size() == 2);
  CHECK(other->buffers()[0].second.to_host() == net->buffers()[0].second.to_host());  // running mean
  CHECK(other->buffers()[1].second.to_host() == net->buffers()[1].second.to_host());  // running variance
  CHECK(other_adam.step_counts() == adam.step_counts());
  CHECK(other_adam.first_moments()[0].to_host() == adam.first_moments()[0].to_host());
  CHECK(other_adam.second_moments()[1].to_host() == adam.second_moments()[1].to_host());
  fs::remove_all(dir);
}
