#include "core/autograd.h"

#include <algorithm>

#include "core/error.h"

namespace medrepro {
namespace {
thread_local bool recording_enabled = true;

void check_gradient_shape(const Tensor& input, const Tensor& gradient, const std::string& op) {
  if (gradient.shape() != input.shape()) {
    fail("Backward of " + op + ": gradient of shape " + to_string(gradient.shape()) + " for input of shape " +
         to_string(input.shape()));
  }
}
}  // namespace

bool grad_enabled() { return recording_enabled; }

NoGradGuard::NoGradGuard() : previous_(recording_enabled) { recording_enabled = false; }
NoGradGuard::~NoGradGuard() { recording_enabled = previous_; }

void record(Tensor& output, std::string op, std::vector<Tensor> inputs, BackwardFn backward) {
  if (!recording_enabled) return;
  const bool any = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.requires_grad(); });
  if (!any) return;
  auto node = std::make_shared<Node>();
  node->op = std::move(op);
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  output.impl()->grad_fn = std::move(node);
  output.impl()->requires_grad = true;
}

bool GradientSink::needs(size_t input) const {
  return input < node_.inputs.size() && node_.inputs[input].requires_grad();
}

Tensor* GradientSink::existing(size_t input) {
  const Tensor& x = node_.inputs[input];
  if (x.impl()->grad_fn) {
    auto it = grads_.find(x.impl()->grad_fn.get());
    return it == grads_.end() ? nullptr : &it->second;
  }
  return nullptr;
}

void GradientSink::install(size_t input, const Tensor& gradient) {
  const Tensor& x = node_.inputs[input];
  if (x.impl()->grad_fn) grads_[x.impl()->grad_fn.get()] = gradient;
  else x.impl()->grad = gradient.impl_ptr();
}

GradTarget GradientSink::target(size_t input) {
  if (!needs(input)) fail("Backward of " + node_.op + " asked for a gradient no input needs");
  const Tensor& x = node_.inputs[input];
  if (Tensor* g = existing(input)) return {*g, 1.0f};
  if (!x.impl()->grad_fn && x.impl()->grad) return {Tensor(x.impl()->grad), 1.0f};
  Tensor fresh = Tensor::empty(x.shape());
  install(input, fresh);
  handed_over_.insert(fresh.storage().get());
  return {fresh, 0.0f};
}

void GradientSink::accumulate(size_t input, const Tensor& gradient) {
  if (!needs(input)) return;
  const Tensor& x = node_.inputs[input];
  check_gradient_shape(x, gradient, node_.op);
  const bool has_gradient = existing(input) || (!x.impl()->grad_fn && x.impl()->grad);
  // A buffer may be owned by one gradient only: later accumulation writes into it.
  if (!has_gradient && handed_over_.insert(gradient.storage().get()).second) {
    install(input, gradient.detach());
    return;
  }
  GradTarget t = target(input);
  axpby(t.grad, gradient, 1.0f, t.beta);
}

void run_backward(const Tensor& root, const Tensor& grad_output) {
  if (!root.requires_grad()) fail("backward() on a tensor that does not require grad");
  if (grad_output.shape() != root.shape()) {
    fail("backward(): gradient shape " + to_string(grad_output.shape()) + " differs from output shape " +
         to_string(root.shape()));
  }
  NoGradGuard no_grad;
  std::unordered_map<Node*, Tensor> grads;
  std::set<const Buffer*> handed_over;
  if (!root.impl()->grad_fn) {  // a leaf: its gradient is the seed
    Node seed_node{"leaf", {root}, nullptr};
    GradientSink(seed_node, grads, handed_over).accumulate(0, grad_output);
    return;
  }

  // Reverse topological order by depth-first search, iterative to survive deep graphs.
  std::vector<Node*> order;
  std::set<Node*> visited;
  std::vector<std::pair<Node*, size_t>> stack{{root.impl()->grad_fn.get(), 0}};
  visited.insert(stack.back().first);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node* child = node->inputs[next++].impl()->grad_fn.get();
      if (child && visited.insert(child).second) stack.emplace_back(child, 0);
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  std::reverse(order.begin(), order.end());

  grads[root.impl()->grad_fn.get()] = grad_output;
  for (Node* node : order) {
    auto it = grads.find(node);
    if (it == grads.end()) continue;  // no path from the root carries gradient here
    if (!node->backward) {
      fail("backward() through " + node->op + " a second time: the graph was already used and freed");
    }
    Tensor grad = it->second;
    grads.erase(it);
    GradientSink sink(*node, grads, handed_over);
    node->backward(grad, sink);
    node->backward = nullptr;  // frees what the op saved for backward
  }
}

}  // namespace medrepro
