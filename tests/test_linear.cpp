#include <doctest/doctest.h>

#include "core/ops/elementwise.h"
#include "core/ops/gemm.h"
#include "core/ops/linear.h"
#include "core/memory.h"
#include "core/nn/layers.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

// out[i][j] = sum_l a[i][l] * b[l][j] (+ bias[j]), with b given as [k, n] or, transposed, [n, k].
std::vector<double> product(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t n, int64_t k,
                            bool b_transposed, const std::vector<float>& bias = {}) {
  std::vector<double> out(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias.empty() ? 0.0 : bias[size_t(j)];
      for (int64_t l = 0; l < k; ++l) {
        sum += double(a[size_t(i * k + l)]) * b[size_t(b_transposed ? j * k + l : l * n + j)];
      }
      out[size_t(i * n + j)] = sum;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("matmul forward against float64") {
  for (auto [m, n, k] : {std::array<int64_t, 3>{1, 1, 1}, {7, 13, 5}, {64, 33, 129}}) {
    auto a = testing::random_values(size_t(m * k), 1), b = testing::random_values(size_t(k * n), 2);
    Tensor out = medrepro::matmul(Tensor::from_host({m, k}, a), Tensor::from_host({k, n}, b));
    CHECK(out.shape() == medrepro::Shape{m, n});
    testing::check_close(out.to_host(), product(a, b, m, n, k, false), 1e-5, 1e-4, "matmul");
  }
  CHECK_THROWS_WITH_AS(medrepro::matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})),
                       doctest::Contains("matmul: cannot multiply shapes [2, 3] and [4, 5]"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::matmul(Tensor::zeros({2, 3, 1}), Tensor::zeros({3, 5})), medrepro::Error);
}

TEST_CASE("matmul backward against finite differences") {
  Tensor a = testing::random_tensor({3, 5}, 3), b = testing::random_tensor({5, 7}, 4);
  testing::check_gradients([](const auto& in) { return medrepro::matmul(in[0], in[1]); }, {a, b});
  testing::check_gradients([](const auto& in) { return medrepro::matmul(in[0], in[1]); },
                           {testing::random_tensor({1, 1}, 5), testing::random_tensor({1, 3}, 6)});
  // Both operands the same tensor: the two gradients must add up.
  testing::check_gradients([](const auto& in) { return medrepro::matmul(in[0], in[0]); },
                           {testing::random_tensor({4, 4}, 7)});
}

TEST_CASE("linear forward against float64, with and without bias") {
  for (auto [batch, in, out] : {std::array<int64_t, 3>{1, 1, 1}, {7, 13, 5}, {64, 129, 33}, {3, 2, 67}}) {
    auto x = testing::random_values(size_t(batch * in), 8), w = testing::random_values(size_t(out * in), 9);
    auto b = testing::random_values(size_t(out), 10);
    Tensor tx = Tensor::from_host({batch, in}, x), tw = Tensor::from_host({out, in}, w);
    Tensor y = medrepro::linear(tx, tw, Tensor::from_host({out}, b));
    CHECK(y.shape() == medrepro::Shape{batch, out});
    testing::check_close(y.to_host(), product(x, w, batch, out, in, true, b), 1e-5, 1e-4, "linear with bias");
    testing::check_close(medrepro::linear(tx, tw, Tensor()).to_host(), product(x, w, batch, out, in, true), 1e-5,
                         1e-4, "linear without bias");
  }
}

TEST_CASE("linear backward against finite differences") {
  auto with_bias = [](const auto& in) { return medrepro::linear(in[0], in[1], in[2]); };
  auto without_bias = [](const auto& in) { return medrepro::linear(in[0], in[1], Tensor()); };
  testing::check_gradients(with_bias, {testing::random_tensor({1, 3}, 11), testing::random_tensor({5, 3}, 12),
                                       testing::random_tensor({5}, 13)});
  testing::check_gradients(with_bias, {testing::random_tensor({7, 5}, 14), testing::random_tensor({3, 5}, 15),
                                       testing::random_tensor({3}, 16)});
  testing::check_gradients(without_bias, {testing::random_tensor({2, 7}, 17), testing::random_tensor({11, 7}, 18)});
  // Used twice: every gradient is accumulated (beta 1) on the second pass.
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::add(medrepro::linear(in[0], in[1], in[2]), medrepro::linear(in[0], in[1], in[2]));
      },
      {testing::random_tensor({3, 4}, 19), testing::random_tensor({2, 4}, 20), testing::random_tensor({2}, 21)});
}

TEST_CASE("linear rejects mismatched shapes naming both") {
  CHECK_THROWS_WITH_AS(medrepro::linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 5}), Tensor()),
                       doctest::Contains("linear: input [2, 3] does not match weight [4, 5]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 3}), Tensor::zeros({3})),
                       doctest::Contains("linear: bias [3] does not match weight [4, 3]"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::linear(Tensor::zeros({2, 3, 1}), Tensor::zeros({4, 3}), Tensor()), medrepro::Error);
}

TEST_CASE("linear: texel-buffer kernels and the storage-buffer fallback agree bit for bit") {
  // Feature counts that are not multiples of 4 (scalar reads, packed copies) and ones that are.
  for (auto [batch, in, out] : {std::array<int64_t, 3>{5, 10, 7}, {64, 50, 20}, {3, 33, 17}}) {
    Tensor x = testing::random_tensor({batch, in}, 31), w = testing::random_tensor({out, in}, 32);
    Tensor b = testing::random_tensor({out}, 33), dy = testing::random_tensor({batch, out}, 34);
    auto run = [&](medrepro::GemmPath path) {
      medrepro::GemmTuning tuning;
      tuning.path = path;
      const medrepro::GemmTuning saved = medrepro::gemm_tuning();
      medrepro::set_gemm_tuning(tuning);
      Tensor tx = x.detach(), tw = w.detach(), tb = b.detach();
      for (Tensor* t : {&tx, &tw, &tb}) t->set_requires_grad(true);
      Tensor y = medrepro::linear(tx, tw, tb);
      y.backward(dy);
      std::vector<std::vector<float>> results{y.to_host(), tx.grad().to_host(), tw.grad().to_host(),
                                              tb.grad().to_host()};
      medrepro::set_gemm_tuning(saved);
      return results;
    };
    const auto texel = run(medrepro::GemmPath::Auto), storage = run(medrepro::GemmPath::Storage);
    for (size_t i = 0; i < texel.size(); ++i) {
      CHECK_MESSAGE(texel[i] == storage[i], batch << "x" << in << " -> " << out << ": result " << i << " differs");
    }
  }
}

TEST_CASE("linear with the weight in row blocks equals linear with the whole weight") {
  // Blocks of unequal, odd sizes; the batch prime and 1.
  for (auto [batch, in] : {std::array<int64_t, 2>{7, 13}, {1, 5}}) {
    const std::vector<int64_t> rows{3, 5, 1};
    const int64_t out = 9;
    auto x = testing::random_values(size_t(batch * in), 41), w = testing::random_values(size_t(out * in), 42);
    auto b = testing::random_values(size_t(out), 43);
    std::vector<Tensor> blocks;
    for (int64_t first = 0; int64_t r : rows) {
      blocks.push_back(Tensor::from_host({r, in}, std::vector<float>(w.begin() + first * in, w.begin() + (first + r) * in)));
      first += r;
    }
    Tensor y = medrepro::linear(Tensor::from_host({batch, in}, x), blocks, Tensor::from_host({out}, b));
    testing::check_close(y.to_host(), product(x, w, batch, out, in, true, b), 1e-5, 1e-4, "linear in row blocks");
  }
  auto blocked = [](const auto& in) {
    return medrepro::linear(in[0], std::span<const Tensor>(in.begin() + 1, in.begin() + 4), in[4]);
  };
  testing::check_gradients(blocked, {testing::random_tensor({5, 7}, 44), testing::random_tensor({3, 7}, 45),
                                     testing::random_tensor({1, 7}, 46), testing::random_tensor({2, 7}, 47),
                                     testing::random_tensor({6}, 48)});
  CHECK_THROWS_WITH_AS(medrepro::linear(Tensor::zeros({2, 3}), std::vector{Tensor::zeros({4, 3}), Tensor::zeros({1, 3})},
                                        Tensor::zeros({4})),
                       doctest::Contains("bias [4] does not match weight [5, 3] (in 2 row blocks)"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::linear(Tensor::zeros({2, 3}), std::vector{Tensor::zeros({4, 3}), Tensor::zeros({1, 2})},
                                        Tensor()),
                       doctest::Contains("does not match weight [1, 2]"), medrepro::Error);
}

TEST_CASE("nn::Linear keeps a weight over the buffer limit in row blocks, with the same values and outputs") {
  using medrepro::nn::Linear;
  using medrepro::nn::WeightInit;
  const int64_t in = 13, out = 10;
  Linear whole(in, out, WeightInit::xavier(0.1f), 7);
  Tensor x = testing::random_tensor({3, in}, 50);
  const std::vector<float> whole_weight = whole.weight_blocks().at(0).to_host(), whole_y = whole(x).to_host();

  const medrepro::ScopedBufferLimit limit(4 * in * sizeof(float));  // four rows per buffer
  Linear split(in, out, WeightInit::xavier(0.1f), 7);
  std::vector<std::string> names;
  for (const medrepro::nn::Parameter* p : split.parameters()) names.push_back(p->name);
  CHECK(names == std::vector<std::string>{"weight.part0", "weight.part1", "weight.part2", "bias"});
  std::vector<float> joined;
  for (const Tensor& block : split.weight_blocks()) {
    CHECK(block.dim(0) <= 4);
    const std::vector<float> values = block.to_host();
    joined.insert(joined.end(), values.begin(), values.end());
  }
  CHECK(joined == whole_weight);          // the whole weight's initial values, fans included
  CHECK(split(x).to_host() == whole_y);   // each output element is the same product
  CHECK(split.describe() == "Linear 13->10 (weight in 3 row blocks)");
  CHECK_THROWS_AS(Linear(100, 2), medrepro::DeviceLimitExceeded);  // one row over the limit
}
