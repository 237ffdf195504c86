#include "core/ops/concat.h"

#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/concat*.comp.
struct SlabPush {
  uint32_t count;        // elements of this input
  uint32_t input_slab;   // C_input * inner
  uint32_t output_slab;  // C_total * inner
  uint32_t offset;       // channel_offset * inner
  float beta;
};

// Elements per channel: the product of the dimensions after axis 1.
int64_t inner_size(const Shape& shape) {
  int64_t inner = 1;
  for (size_t axis = 2; axis < shape.size(); ++axis) inner *= shape[axis];
  return inner;
}

void check_compatible(const Tensor& first, const Tensor& other) {
  const Shape& a = first.shape();
  const Shape& b = other.shape();
  bool same = a.size() == b.size() && a[0] == b[0];
  for (size_t axis = 2; same && axis < a.size(); ++axis) same = a[axis] == b[axis];
  if (!same) {
    fail("concat_channels: shapes " + to_string(a) + " and " + to_string(b) +
         " must match in every dimension but the channels (axis 1)");
  }
}

}  // namespace

Tensor concat_channels(const std::vector<Tensor>& inputs) {
  if (inputs.empty()) fail("concat_channels: no inputs");
  for (const Tensor& input : inputs) {
    if (input.rank() < 2) fail("concat_channels: inputs need rank >= 2, got shape " + to_string(input.shape()));
    check_compatible(inputs[0], input);
  }

  Shape out_shape = inputs[0].shape();
  out_shape[1] = 0;
  for (const Tensor& input : inputs) out_shape[1] += input.dim(1);
  Tensor out = Tensor::empty(out_shape);
  count32(out, "concat_channels");

  const int64_t inner = inner_size(out_shape);
  const auto output_slab = static_cast<uint32_t>(out_shape[1] * inner);
  std::vector<SlabPush> slabs;
  int64_t channel_offset = 0;
  for (const Tensor& input : inputs) {
    const SlabPush push{static_cast<uint32_t>(input.numel()), static_cast<uint32_t>(input.dim(1) * inner),
                        output_slab, static_cast<uint32_t>(channel_offset * inner), 0.0f};
    launch_linear("concat", {input.read(), out.write()}, push, push.count);
    slabs.push_back(push);
    channel_offset += input.dim(1);
  }

  record(out, "concat_channels", inputs, [slabs](const Tensor& grad, GradientSink& sink) {
    for (size_t i = 0; i < slabs.size(); ++i) {
      if (!sink.needs(i)) continue;
      GradTarget t = sink.target(i);
      SlabPush push = slabs[i];
      push.beta = t.beta;
      launch_linear("concat_backward", {grad.read(), t.grad.write()}, push, push.count, {accumulates(t.beta)});
    }
  });
  return out;
}

}  // namespace medrepro
