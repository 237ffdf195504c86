#pragma once
// Reverse-mode automatic differentiation over a graph of nodes. Each op records a
// node holding its inputs and a closure that records the gradient kernels; the
// closure captures saved tensors detached (never the op's own output with its
// history, which would make a cycle).
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

class GradientSink;
using BackwardFn = std::function<void(const Tensor& grad_output, GradientSink& sink)>;

struct Node {
  std::string op;
  std::vector<Tensor> inputs;
  BackwardFn backward;
};

// Where an op's backward writes d(loss)/d(inputs[i]).
struct GradTarget {
  Tensor grad;
  float beta = 0;  // 0: overwrite (grad holds garbage), 1: add to what grad holds
};

class GradientSink {
 public:
  bool needs(size_t input) const;
  // The gradient buffer of input `input`, for kernels that write or accumulate in place.
  GradTarget target(size_t input);
  // Adds `gradient` to input `input`'s gradient; hands the buffer over when none exists yet.
  void accumulate(size_t input, const Tensor& gradient);

 private:
  friend void run_backward(const Tensor& root, const Tensor& grad_output);
  GradientSink(Node& node, std::unordered_map<Node*, Tensor>& grads, std::set<const Buffer*>& handed_over)
      : node_(node), grads_(grads), handed_over_(handed_over) {}
  Tensor* existing(size_t input);
  void install(size_t input, const Tensor& gradient);

  Node& node_;
  std::unordered_map<Node*, Tensor>& grads_;
  std::set<const Buffer*>& handed_over_;
};

bool grad_enabled();

// Disables graph recording in its scope (evaluation, optimiser updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Attaches a node to `output` when recording is on and some input requires grad.
void record(Tensor& output, std::string op, std::vector<Tensor> inputs, BackwardFn backward);

void run_backward(const Tensor& root, const Tensor& grad_output);

}  // namespace medrepro
