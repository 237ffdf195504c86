#pragma once
// A toy sequence task for the recurrent layers, shared by test_lstm, test_gru and
// test_long_recurrent_training.
#include <vector>

#include "core/autograd.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "core/nn/layers.h"
#include "core/ops/loss.h"
#include "core/optim.h"
#include "core/tensor.h"

namespace testing {

namespace nn = medrepro::nn;
using medrepro::Tensor;

// Bits x_t in {-1, 1}; the label of step t is how many of its neighbours x_{t-1}, x_{t+1}
// are 1 (0, 1 or 2; a missing neighbour at either end is not). Half of that lies in the
// future, so a forward-only layer can do little better than guess it.
inline void make_neighbour_task(int count, int steps, medrepro::Rng& rng, std::vector<float>& x,
                                std::vector<float>& labels) {
  x.resize(size_t(count * steps));
  labels.resize(size_t(count * steps));
  for (float& v : x) v = rng.below(2) ? 1.0f : -1.0f;
  for (int n = 0; n < count; ++n) {
    for (int t = 0; t < steps; ++t) {
      const bool left = t > 0 && x[size_t(n * steps + t - 1)] > 0;
      const bool right = t + 1 < steps && x[size_t(n * steps + t + 1)] > 0;
      labels[size_t(n * steps + t)] = float(int(left) + int(right));
    }
  }
}

struct TrainingResult {
  double accuracy = 0;  // per step, on fresh sequences
  std::vector<float> losses;
};

// Trains `rnn` ([B, T, 1] -> [B, T, features_out]) and a per-step linear classifier with
// SGD on fresh batches of the neighbour task.
inline TrainingResult train_neighbour_task(nn::Module& rnn, int64_t features_out, int iterations, float rate,
                                           uint64_t seed) {
  const int steps = 8, batch = 32;
  nn::Linear head(features_out, 3, nn::WeightInit::xavier(), seed + 7);
  std::vector<nn::Parameter*> parameters = rnn.parameters();
  for (nn::Parameter* p : head.parameters()) parameters.push_back(p);
  medrepro::Sgd sgd(parameters, {rate, 0.9f, 0.0f, medrepro::MomentumConvention::Caffe});
  medrepro::Rng rng(seed);
  std::vector<float> x, labels;
  medrepro::LossLog log;
  auto logits_of = [&](const Tensor& input) {
    Tensor y = rnn(input);
    return head(y.reshape({input.dim(0) * steps, -1}));
  };
  for (int iteration = 0; iteration < iterations; ++iteration) {
    make_neighbour_task(batch, steps, rng, x, labels);
    Tensor loss = medrepro::cross_entropy(logits_of(Tensor::from_host({batch, steps, 1}, x)),
                                          Tensor::from_host({batch * steps}, labels));
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    log.record(loss, iteration);
  }
  TrainingResult result;
  for (const auto& [step, value] : log.drain()) result.losses.push_back(value);
  medrepro::NoGradGuard no_grad;
  const int test_count = 256;
  make_neighbour_task(test_count, steps, rng, x, labels);
  const auto logits = logits_of(Tensor::from_host({test_count, steps, 1}, x)).to_host();
  int correct = 0;
  for (size_t row = 0; row < labels.size(); ++row) {
    const float* l = &logits[row * 3];
    const int predicted = l[0] >= l[1] && l[0] >= l[2] ? 0 : (l[1] >= l[2] ? 1 : 2);
    correct += predicted == int(labels[row]);
  }
  result.accuracy = double(correct) / double(labels.size());
  return result;
}

}  // namespace testing
