#include "core/tensor.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/autograd.h"
#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"

namespace medrepro {

std::string to_string(const Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count;
}

namespace {
std::shared_ptr<TensorImpl> new_impl(const Shape& shape) {
  for (int64_t d : shape) {
    if (d < 0) fail("Tensor shape " + to_string(shape) + " has a negative dimension");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->storage = std::make_shared<Buffer>(static_cast<size_t>(element_count(shape)) * sizeof(float));
  return impl;
}
}  // namespace

Tensor Tensor::empty(const Shape& shape) { return Tensor(new_impl(shape)); }

Tensor Tensor::zeros(const Shape& shape) { return full(shape, 0.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  uint32_t word;
  std::memcpy(&word, &value, sizeof word);
  Context::get().stream().fill(t.range(), word);
  return t;
}

Tensor Tensor::from_host(const Shape& shape, std::span<const float> values) {
  if (static_cast<int64_t>(values.size()) != element_count(shape)) {
    fail("Tensor::from_host: " + std::to_string(values.size()) + " values for shape " + to_string(shape));
  }
  Tensor t = empty(shape);
  if (values.empty()) return t;
  Buffer staging(values.size_bytes(), MemoryKind::Staging);
  std::memcpy(staging.mapped(), values.data(), values.size_bytes());
  Context::get().stream().copy(staging.range(), t.range());
  return t;
}

std::vector<float> Tensor::to_host() const {
  std::vector<float> values(static_cast<size_t>(numel()));
  if (values.empty()) return values;
  Buffer staging(values.size() * sizeof(float), MemoryKind::Staging);
  Stream& stream = Context::get().stream();
  stream.copy(range(), staging.range());
  stream.synchronize();
  std::memcpy(values.data(), staging.mapped(), values.size() * sizeof(float));
  return values;
}

float Tensor::item() const {
  if (numel() != 1) fail("Tensor::item on a tensor of shape " + to_string(shape()));
  return to_host()[0];
}

const Shape& Tensor::shape() const {
  if (!impl_) fail("Use of an undefined tensor");
  return impl_->shape;
}

int64_t Tensor::dim(int axis) const {
  const int r = rank();
  const int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) fail("Axis " + std::to_string(axis) + " out of range for shape " + to_string(shape()));
  return shape()[static_cast<size_t>(a)];
}

BufferRange Tensor::range() const { return storage()->range(); }

const std::shared_ptr<Buffer>& Tensor::storage() const {
  if (!impl_) fail("Use of an undefined tensor");
  return impl_->storage;
}

Tensor& Tensor::set_requires_grad(bool enabled) {
  if (!impl_) fail("set_requires_grad on an undefined tensor");
  if (impl_->grad_fn) fail("set_requires_grad on a tensor produced by an op: only leaves can be parameters");
  impl_->requires_grad = enabled;
  return *this;
}

Tensor Tensor::grad() const { return impl_ && impl_->grad ? Tensor(impl_->grad) : Tensor(); }

void Tensor::zero_grad() {
  if (impl_) impl_->grad.reset();
}

void Tensor::backward() const {
  if (numel() != 1) {
    fail("backward() without a gradient needs a one-element loss, got shape " + to_string(shape()));
  }
  run_backward(*this, Tensor::full(shape(), 1.0f));
}

void Tensor::backward(const Tensor& grad_output) const { run_backward(*this, grad_output); }

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape();
  impl->storage = storage();
  return Tensor(impl);
}

Tensor Tensor::reshape(const Shape& requested) const {
  Shape target = requested;
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0) fail("reshape " + to_string(shape()) + " -> " + to_string(requested) + ": two -1 axes");
      inferred = static_cast<int>(i);
    } else {
      known *= target[i];
    }
  }
  if (inferred >= 0 && known > 0) target[static_cast<size_t>(inferred)] = numel() / known;
  if (element_count(target) != numel()) {
    fail("reshape: cannot view shape " + to_string(shape()) + " as " + to_string(requested));
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = target;
  impl->storage = storage();
  Tensor view(impl);
  const Shape input_shape = shape();
  record(view, "reshape", {*this}, [input_shape](const Tensor& grad, GradientSink& sink) {
    sink.accumulate(0, grad.detach().reshape(input_shape));
  });
  return view;
}

Tensor Tensor::flatten(int start_axis) const {
  Shape target(shape().begin(), shape().begin() + start_axis);
  target.push_back(-1);
  return reshape(target);
}

void copy_into(const Tensor& destination, const Tensor& source) {
  if (destination.numel() != source.numel()) {
    fail("copy_into: shapes " + to_string(destination.shape()) + " and " + to_string(source.shape()) + " differ");
  }
  Context::get().stream().copy(source.range(), destination.range());
}

void axpby(const Tensor& destination, const Tensor& source, float alpha, float beta) {
  if (destination.numel() != source.numel()) {
    fail("axpby: shapes " + to_string(destination.shape()) + " and " + to_string(source.shape()) + " differ");
  }
  struct {
    uint32_t count;
    float alpha, beta;
  } push{static_cast<uint32_t>(source.numel()), alpha, beta};
  launch_linear("axpby", {source.read(), destination.write()}, push, source.numel());
}

}  // namespace medrepro
