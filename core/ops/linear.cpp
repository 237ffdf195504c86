#include "core/ops/linear.h"

#include <string>

#include "core/autograd.h"
#include "core/ops/checks.h"
#include "core/ops/gemm.h"

namespace medrepro {
namespace {

std::string shapes(const Tensor& a, const Tensor& b) { return to_string(a.shape()) + " and " + to_string(b.shape()); }

// Row-major a [rows, cols] as a GEMM operand.
MatrixView view(const Tensor& t) { return MatrixView::row_major(t, t.dim(1)); }

// target = op(a) * op(b) + beta * target, for the gradients.
void product_into(const Tensor& target, float beta, const MatrixView& a, const MatrixView& b, int64_t k) {
  Gemm g;
  g.m = target.dim(0);
  g.n = target.dim(1);
  g.k = k;
  g.a = a;
  g.b = b;
  g.c = view(target);
  g.beta = beta;
  gemm(g);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  expect_rank(a, 2, "matmul", "a");
  expect_rank(b, 2, "matmul", "b");
  if (a.dim(1) != b.dim(0) || a.numel() == 0 || b.numel() == 0) {
    fail("matmul: cannot multiply shapes " + shapes(a, b) + " (need [M, K] x [K, N], K > 0)");
  }
  Tensor out = Tensor::empty({a.dim(0), b.dim(1)});
  product_into(out, 0.0f, view(a), view(b), a.dim(1));
  record(out, "matmul", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& grad, GradientSink& sink) {
    if (sink.needs(0)) {  // dA = dC B^T
      GradTarget t = sink.target(0);
      product_into(t.grad, t.beta, view(grad), view(b).transposed(), b.dim(1));
    }
    if (sink.needs(1)) {  // dB = A^T dC
      GradTarget t = sink.target(1);
      product_into(t.grad, t.beta, view(a).transposed(), view(grad), a.dim(0));
    }
  });
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return linear(x, std::span<const Tensor>(&weight, 1), bias);
}

Tensor linear(const Tensor& x, std::span<const Tensor> weight_row_blocks, const Tensor& bias) {
  expect_rank(x, 2, "linear", "input");
  if (weight_row_blocks.empty()) fail("linear: no weight");
  int64_t out_features = 0;
  for (const Tensor& block : weight_row_blocks) {
    expect_rank(block, 2, "linear", "weight");
    if (x.dim(1) != block.dim(1) || x.numel() == 0 || block.numel() == 0) {
      fail("linear: input " + to_string(x.shape()) + " does not match weight " + to_string(block.shape()) +
           " (need non-empty [N, in] and [out, in])");
    }
    out_features += block.dim(0);
  }
  const int64_t batch = x.dim(0), in = x.dim(1);
  if (bias.defined() && bias.shape() != Shape{out_features}) {
    fail("linear: bias " + to_string(bias.shape()) + " does not match weight " + to_string(Shape{out_features, in}) +
         (weight_row_blocks.size() > 1 ? " (in " + std::to_string(weight_row_blocks.size()) + " row blocks)" : ""));
  }
  std::vector<Tensor> blocks(weight_row_blocks.begin(), weight_row_blocks.end());
  // Columns [first_row[i], first_row[i] + rows of block i) of the output and of its gradient.
  std::vector<int64_t> first_row;
  for (int64_t row = 0; const Tensor& block : blocks) {
    first_row.push_back(row);
    row += block.dim(0);
  }
  auto columns = [out_features](const Tensor& t, int64_t first) {
    return MatrixView{t, first, out_features, 1, 0};
  };

  Tensor out = Tensor::empty({batch, out_features});
  for (size_t i = 0; i < blocks.size(); ++i) {  // out[:, block i] = x W_i^T + b[block i]
    Gemm g;
    g.m = batch;
    g.n = blocks[i].dim(0);
    g.k = in;
    g.a = view(x);
    g.b = view(blocks[i]).transposed();
    g.c = columns(out, first_row[i]);
    if (bias.defined()) {
      g.bias_mode = GemmBias::PerColumn;
      g.bias = bias;
      g.bias_offset = first_row[i];
    }
    gemm(g);
  }

  std::vector<Tensor> inputs{x};
  for (const Tensor& block : blocks) inputs.push_back(block);
  if (bias.defined()) inputs.push_back(bias);
  for (Tensor& block : blocks) block = block.detach();
  record(out, "linear", std::move(inputs),
         [x = x.detach(), blocks, first_row, columns](const Tensor& grad, GradientSink& sink) {
           if (sink.needs(0)) {  // dX = sum_i dY[:, block i] W_i
             GradTarget t = sink.target(0);
             for (size_t i = 0; i < blocks.size(); ++i) {
               product_into(t.grad, i == 0 ? t.beta : 1.0f, columns(grad, first_row[i]), view(blocks[i]),
                            blocks[i].dim(0));
             }
           }
           for (size_t i = 0; i < blocks.size(); ++i) {  // dW_i = dY[:, block i]^T X
             if (!sink.needs(1 + i)) continue;
             GradTarget t = sink.target(1 + i);
             product_into(t.grad, t.beta, columns(grad, first_row[i]).transposed(), view(x), x.dim(0));
           }
           const size_t bias_input = 1 + blocks.size();
           if (sink.needs(bias_input)) {  // db = column sums of dY
             GradTarget t = sink.target(bias_input);
             channel_sum(t.grad, grad, grad.dim(0), grad.dim(1), 1, t.beta);
           }
         });
  return out;
}

}  // namespace medrepro
