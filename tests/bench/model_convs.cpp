#include "tests/bench/model_convs.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/nn/layers.h"
#include "papers/khan_yong_anatomy/models.h"
#include "tests/bench/model_rows.h"

namespace medrepro::bench {
namespace {


bool same_shape(const ConvLayer& a, const ConvLayer& b) {
  const Conv2dOptions &x = a.options, &y = b.options;
  return a.input == b.input && a.weight == b.weight && x.stride_h == y.stride_h && x.stride_w == y.stride_w &&
         x.pad_h == y.pad_h && x.pad_w == y.pad_w && x.dilation_h == y.dilation_h && x.dilation_w == y.dilation_w;
}

}  // namespace

Shape ConvLayer::output(int64_t batch) const {
  auto size = [](int64_t in, int64_t kernel, int stride, int pad, int dilation) {
    return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
  };
  return {batch, weight[0], size(input[2], weight[2], options.stride_h, options.pad_h, options.dilation_h),
          size(input[3], weight[3], options.stride_w, options.pad_w, options.dilation_w)};
}

double ConvLayer::flops(int64_t batch) const {
  return 2.0 * static_cast<double>(element_count(output(batch)) * weight[1] * weight[2] * weight[3]);
}

std::string ConvLayer::describe(int64_t batch) const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  return n(batch) + "x" + n(input[1]) + "x" + n(input[2]) + "x" + n(input[3]) + " -> " + n(weight[0]) + "@" +
         n(weight[2]) + "x" + n(weight[3]) + " s" + n(options.stride_h) + " p" + n(options.pad_h);
}

std::vector<ConvLayer> model_convs(const std::vector<std::string>& models, int input_size) {
  std::vector<ConvLayer> layers;
  NoGradGuard no_grad;
  for (const std::string& name : models) {
    // The convolutions do not depend on the input size, the fully connected layers do (AlexNet's fc6
    // at 227x227 holds 144 MiB). So the model is built at 64x64 at most and only its convolutional
    // trunk sees the requested size.
    auto model = khan_yong::make_model(name, std::min(input_size, 64), kClasses, kModelSeed, khan_yong::Reading::Digits);
    model->eval();
    nn::Sequential& body = model->body();
    size_t trunk = 0;
    for (size_t i = 0; i < body.size(); ++i) {
      if (dynamic_cast<const nn::Conv2d*>(&body.layer(i))) trunk = i + 1;
    }
    Tensor h = Tensor::zeros({1, 1, input_size, input_size});
    int count = 0;
    for (size_t i = 0; i < trunk; ++i) {
      if (const auto* conv = dynamic_cast<const nn::Conv2d*>(&body.layer(i))) {
        ConvLayer layer{name, "conv" + std::to_string(++count), "", input_size, h.shape(), conv->weight().shape(),
                        conv->options()};
        bool repeated = false;
        for (ConvLayer& earlier : layers) {
          if (!same_shape(earlier, layer)) continue;
          earlier.also += (earlier.also.empty() ? "" : ", ") + name + "." + layer.layer;
          repeated = true;
        }
        if (!repeated) layers.push_back(layer);
      }
      h = body.layer(i).forward(h);
    }
  }
  return layers;
}

}  // namespace medrepro::bench
