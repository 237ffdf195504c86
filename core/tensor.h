#pragma once
// A float32 N-d tensor living on the Vulkan device, with optional gradient and
// the autograd node that produced it. Tensors are always contiguous (row-major);
// reshape returns a view that shares the storage.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/memory.h"
#include "core/stream.h"

namespace medrepro {

using Shape = std::vector<int64_t>;
std::string to_string(const Shape& shape);
int64_t element_count(const Shape& shape);

struct Node;

struct TensorImpl {
  Shape shape;
  std::shared_ptr<Buffer> storage;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // accumulated gradient of a leaf
  std::shared_ptr<Node> grad_fn;     // the op that produced this tensor, if recorded
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  static Tensor empty(const Shape& shape);  // contents undefined until written
  static Tensor zeros(const Shape& shape);
  static Tensor full(const Shape& shape, float value);
  static Tensor from_host(const Shape& shape, std::span<const float> values);

  std::vector<float> to_host() const;  // waits for the device
  float item() const;                  // the single value of a one-element tensor

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int64_t dim(int axis) const;  // negative axes count from the end
  int rank() const { return static_cast<int>(shape().size()); }
  int64_t numel() const { return element_count(shape()); }

  BufferRange range() const;
  Access read() const { return reads(range()); }
  Access write() const { return writes(range()); }
  const std::shared_ptr<Buffer>& storage() const;

  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  Tensor& set_requires_grad(bool enabled = true);
  Tensor grad() const;  // undefined until a backward pass reached this leaf
  void zero_grad();     // drops the gradient; the next backward writes it afresh
  void backward() const;                         // of a one-element loss
  void backward(const Tensor& grad_output) const;

  Tensor detach() const;  // same storage, no history
  Tensor reshape(const Shape& shape) const;  // one dimension may be -1
  Tensor flatten(int start_axis = 1) const;  // [N, ...] -> [N, prod(...)]

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// Records a device-side copy of source's contents into destination (same size).
void copy_into(const Tensor& destination, const Tensor& source);
// destination = alpha * source + (beta == 0 ? 0 : beta * destination); no history.
void axpby(const Tensor& destination, const Tensor& source, float alpha, float beta);

}  // namespace medrepro
