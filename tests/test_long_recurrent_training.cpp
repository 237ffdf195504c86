// Longer training runs of the recurrent layers (label "long"):
//   - the neighbour task needs both directions: a BiLSTM masters it, a forward-only
//     LSTM of the same budget cannot; the same seed repeats bit for bit;
//   - the paper's CNN-LSTM in miniature (Pereira et al. 2020, Fig. 1): a 2D CNN applied
//     to every slice of a volume through TimeDistributed, a BiLSTM over the slices,
//     and a classifier, trained end to end on a whole-volume label.
#include <doctest/doctest.h>

#include "core/autograd.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "core/nn/layers.h"
#include "core/nn/recurrent.h"
#include "core/ops/loss.h"
#include "core/optim.h"
#include "recurrent_tasks.h"
#include "testing.h"

using medrepro::Tensor;
namespace nn = medrepro::nn;

TEST_CASE("the neighbour task needs both directions: BiLSTM learns it, a forward LSTM cannot; runs repeat") {
  nn::BiLSTM bi(1, 8, true, 3);
  const auto bi_result = testing::train_neighbour_task(bi, 16, 300, 0.3f, 3);
  nn::LSTM forward_only(1, 16, {false, true}, 3);
  const auto forward_result = testing::train_neighbour_task(forward_only, 16, 300, 0.3f, 3);
  MESSAGE("per-step accuracy: BiLSTM " << bi_result.accuracy << ", forward-only LSTM " << forward_result.accuracy);
  CHECK(bi_result.accuracy > 0.98);
  CHECK(forward_result.accuracy < 0.75);  // it only knows the left neighbour (and the last step's right one)
  CHECK(bi_result.losses.back() < 0.1f * bi_result.losses.front());

  nn::BiLSTM again(1, 8, true, 3);
  CHECK(testing::train_neighbour_task(again, 16, 300, 0.3f, 3).losses == bi_result.losses);  // exact: no atomics
}

namespace {

constexpr int kSlices = 5, kSide = 8;

// A volume of kSlices noisy slices, each holding a horizontal or a vertical bar at a
// random place. Label 1 when most slices hold a vertical bar: the CNN must read every
// slice, the recurrent layer must gather what it found across the whole volume.
void make_volumes(int count, medrepro::Rng& rng, std::vector<float>& volumes, std::vector<float>& labels) {
  volumes.assign(size_t(count) * kSlices * kSide * kSide, 0.0f);
  labels.resize(size_t(count));
  for (int n = 0; n < count; ++n) {
    int vertical_slices = 0;
    for (int s = 0; s < kSlices; ++s) {
      const int vertical = static_cast<int>(rng.below(2));
      const int at = 1 + static_cast<int>(rng.below(kSide - 2));
      float* slice = volumes.data() + (size_t(n) * kSlices + size_t(s)) * kSide * kSide;
      for (int i = 0; i < kSide * kSide; ++i) slice[i] = static_cast<float>(0.3 * rng.normal());
      for (int t = 1; t < kSide - 1; ++t) slice[vertical ? t * kSide + at : at * kSide + t] += 1.0f;
      vertical_slices += vertical;
    }
    labels[size_t(n)] = 2 * vertical_slices > kSlices ? 1.0f : 0.0f;
  }
}

struct CnnLstm : nn::Sequential {
  explicit CnnLstm(uint64_t seed) {
    auto slice_cnn = std::make_unique<nn::Sequential>();
    slice_cnn->emplace<nn::Conv2d>(1, 4, 3, 1, 1, nn::WeightInit::he(), seed);
    slice_cnn->emplace<nn::ReLU>();
    slice_cnn->emplace<nn::MaxPool2d>(medrepro::pool2d(2, 2));
    slice_cnn->emplace<nn::Flatten>();
    slice_cnn->emplace<nn::Linear>(4 * 4 * 4, 8, nn::WeightInit::xavier(), seed + 1);
    slice_cnn->emplace<nn::ReLU>();
    add(std::make_unique<nn::TimeDistributed>(std::move(slice_cnn)));  // [B, T, 1, 8, 8] -> [B, T, 8]
    emplace<nn::BiLSTM>(8, 12, false, seed + 2);                       // -> [B, 24]
    emplace<nn::Linear>(24, 16, nn::WeightInit::xavier(), seed + 3);
    emplace<nn::ReLU>();
    emplace<nn::Linear>(16, 2, nn::WeightInit::xavier(), seed + 4);
  }
};

}  // namespace

TEST_CASE("a CNN-LSTM (TimeDistributed CNN + BiLSTM) learns which orientation most slices of a volume show") {
  const int batch = 16, iterations = 300;
  CnnLstm model(11);
  medrepro::Sgd sgd(model.parameters(), {0.05f, 0.9f, 0.0f, medrepro::MomentumConvention::Caffe});
  medrepro::Rng rng(5);
  medrepro::LossLog log;
  std::vector<float> volumes, labels;
  for (int iteration = 0; iteration < iterations; ++iteration) {
    make_volumes(batch, rng, volumes, labels);
    Tensor loss = medrepro::cross_entropy(model(Tensor::from_host({batch, kSlices, 1, kSide, kSide}, volumes)),
                                          Tensor::from_host({batch}, labels));
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    log.record(loss, iteration);
  }
  const auto losses = log.drain();

  medrepro::NoGradGuard no_grad;
  model.eval();
  const int test_count = 256;
  make_volumes(test_count, rng, volumes, labels);
  const auto logits = model(Tensor::from_host({test_count, kSlices, 1, kSide, kSide}, volumes)).to_host();
  int correct = 0;
  for (int n = 0; n < test_count; ++n)
    correct += (logits[size_t(2 * n + 1)] > logits[size_t(2 * n)]) == (labels[size_t(n)] > 0.5f);
  const double accuracy = double(correct) / test_count;
  MESSAGE("CNN-LSTM loss " << losses.front().second << " -> " << losses.back().second << ", accuracy on fresh volumes "
                           << accuracy);
  CHECK(accuracy > 0.95);
}
