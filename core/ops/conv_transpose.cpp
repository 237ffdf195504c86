#include "core/ops/conv_transpose.h"

#include <sstream>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops/checks.h"
#include "core/ops/conv3d.h"
#include "core/ops/gemm.h"

namespace medrepro {
namespace {

std::string triple(const std::array<int, 3>& v, int first_axis) {
  // Streamed rather than concatenated: GCC 12 warns falsely (-Wrestrict) on the latter.
  std::ostringstream text;
  for (int axis = first_axis; axis < 3; ++axis) text << (axis > first_axis ? "x" : "") << v[size_t(axis)];
  return text.str();
}

// The convolution whose data gradient this transposed convolution is: it maps
// the transposed output [N, C_out, out...] to x [N, C_in, in...] with the same
// weight read as [O = C_in, C = C_out, k...]. A 2-D call has depth 1 everywhere.
ConvVolumeGeometry make_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                 const ConvTranspose3dOptions& o, int spatial, const char* op) {
  expect_rank(x, 2 + spatial, op, "input");
  expect_rank(weight, 2 + spatial, op, "weight");
  const int first_axis = 3 - spatial;  // 2-D calls use the height and width entries
  const std::string both = "input " + to_string(x.shape()) + " and weight " + to_string(weight.shape());
  const std::string options = "stride " + triple(o.stride, first_axis) + ", padding " +
                              triple(o.padding, first_axis) + ", output padding " +
                              triple(o.output_padding, first_axis) + ", dilation " + triple(o.dilation, first_axis);
  if (x.numel() == 0 || weight.numel() == 0) fail(std::string(op) + ": empty " + both);
  if (weight.dim(0) != x.dim(1)) {
    fail(std::string(op) + ": " + both + " disagree on input channels (" + std::to_string(x.dim(1)) + " vs " +
         std::to_string(weight.dim(0)) + "; the weight is [C_in, C_out, kernel...], groups are not supported)");
  }
  ConvVolumeGeometry g;
  g.batch = x.dim(0);
  g.channels = weight.dim(1);
  g.out_channels = x.dim(1);
  g.in = {1, 1, 1};
  g.out = {1, 1, 1};
  g.kernel = {1, 1, 1};
  for (int axis = first_axis; axis < 3; ++axis) {
    const size_t a = size_t(axis);
    const int stride = o.stride[a], padding = o.padding[a], output_padding = o.output_padding[a];
    const int dilation = o.dilation[a];
    if (stride < 1 || dilation < 1 || padding < 0 || output_padding < 0 ||
        (output_padding >= stride && output_padding >= dilation)) {
      fail(std::string(op) + ": " + options + ": stride and dilation must be positive, padding non-negative and " +
           "output padding smaller than the stride or the dilation (" + both + ")");
    }
    const int64_t extent = x.dim(2 + axis - first_axis), kernel = weight.dim(2 + axis - first_axis);
    const int64_t size = (extent - 1) * stride - 2 * int64_t(padding) + dilation * (kernel - 1) + output_padding + 1;
    if (size < 1) {
      fail(std::string(op) + ": " + both + " with " + options + " give an empty output (" + std::to_string(size) +
           " along axis " + std::to_string(2 + axis - first_axis) + ")");
    }
    g.out[a] = extent;
    g.kernel[a] = kernel;
    g.in[a] = size;
    g.stride[a] = stride;
    g.padding[a] = padding;
    g.dilation[a] = dilation;
  }
  if (bias.defined() && bias.shape() != Shape{g.channels}) {
    fail(std::string(op) + ": bias " + to_string(bias.shape()) + " does not match weight " +
         to_string(weight.shape()) + " (one value per output channel)");
  }
  count32(x, op);
  if (g.batch * g.input_image() > int64_t(0xffffffffu)) fail(std::string(op) + ": output of " + both + " too large");
  return g;
}

Tensor conv_transpose(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTranspose3dOptions& o,
                      int spatial, const char* op) {
  const ConvVolumeGeometry g = make_geometry(x, weight, bias, o, spatial, op);
  Shape out_shape{g.batch, g.channels};
  for (int axis = 3 - spatial; axis < 3; ++axis) out_shape.push_back(g.in[size_t(axis)]);
  Tensor out = Tensor::empty(out_shape);
  conv_volume_backward_data(g, x, weight, bias, out, 0.0f);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  record(out, op, std::move(inputs),
         [x = x.detach(), weight = weight.detach(), g](const Tensor& grad, GradientSink& sink) {
           if (sink.needs(0)) {  // dx = conv(dy, weight)
             GradTarget t = sink.target(0);
             conv_volume_forward(g, grad, weight, Tensor(), t.grad, t.beta);
           }
           if (sink.needs(1)) {  // dweight [C_in, C_out * k] = sum_n x_n [C_in, P] x columns(dy_n)^T
             GradTarget t = sink.target(1);
             conv_volume_backward_weight(g, x, grad, t.grad, t.beta);
           }
           if (sink.needs(2)) {
             GradTarget t = sink.target(2);
             channel_sum(t.grad, grad, g.batch, g.channels, g.in[0] * g.in[1] * g.in[2], t.beta);
           }
         });
  return out;
}

}  // namespace

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& o) {
  const ConvTranspose3dOptions options{{1, o.stride_h, o.stride_w},
                                       {0, o.pad_h, o.pad_w},
                                       {0, o.output_pad_h, o.output_pad_w},
                                       {1, o.dilation_h, o.dilation_w}};
  return conv_transpose(x, weight, bias, options, 2, "conv_transpose2d");
}

Tensor conv_transpose3d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose3dOptions& options) {
  return conv_transpose(x, weight, bias, options, 3, "conv_transpose3d");
}

}  // namespace medrepro
