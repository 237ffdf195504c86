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
  expect_rank(x, 2, "linear", "input");
  expect_rank(weight, 2, "linear", "weight");
  if (x.dim(1) != weight.dim(1) || x.numel() == 0 || weight.numel() == 0) {
    fail("linear: input " + to_string(x.shape()) + " does not match weight " + to_string(weight.shape()) +
         " (need non-empty [N, in] and [out, in])");
  }
  const int64_t batch = x.dim(0), in = x.dim(1), out_features = weight.dim(0);
  if (bias.defined() && bias.shape() != Shape{out_features}) {
    fail("linear: bias " + to_string(bias.shape()) + " does not match weight " + to_string(weight.shape()));
  }

  Tensor out = Tensor::empty({batch, out_features});
  Gemm g;
  g.m = batch;
  g.n = out_features;
  g.k = in;
  g.a = view(x);
  g.b = view(weight).transposed();
  g.c = view(out);
  if (bias.defined()) {
    g.bias_mode = GemmBias::PerColumn;
    g.bias = bias;
  }
  gemm(g);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  record(out, "linear", std::move(inputs),
         [x = x.detach(), weight = weight.detach()](const Tensor& grad, GradientSink& sink) {
           if (sink.needs(0)) {  // dX = dY W
             GradTarget t = sink.target(0);
             product_into(t.grad, t.beta, view(grad), view(weight), weight.dim(0));
           }
           if (sink.needs(1)) {  // dW = dY^T X
             GradTarget t = sink.target(1);
             product_into(t.grad, t.beta, view(grad).transposed(), view(x), x.dim(0));
           }
           if (sink.needs(2)) {  // db = column sums of dY
             GradTarget t = sink.target(2);
             channel_sum(t.grad, grad, grad.dim(0), grad.dim(1), 1, t.beta);
           }
         });
  return out;
}

}  // namespace medrepro
