#include "tests/bench/kernel_rows.h"

#include <algorithm>
#include <memory>
#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/nn/recurrent.h"
#include "core/ops/batch_norm.h"
#include "core/ops/conv2d.h"
#include "core/ops/conv3d.h"
#include "core/ops/gemm.h"
#include "core/ops/lstm.h"

namespace medrepro::bench {
namespace {

using report::Json;

double as_double(int64_t v) { return static_cast<double>(v); }

Json shape_json(const Shape& shape) { return Json::array_of(shape); }

// Backward rows keep `reps` forward results (with their graphs) alive per sample; this bounds their memory.
int reps_within(int64_t bytes_per_rep) {
  return static_cast<int>(std::max<int64_t>(1, (int64_t(256) << 20) / std::max<int64_t>(bytes_per_rep, 1)));
}

// Work that runs forward once per sample, untimed, and times backward of each
// result with `grad`. A repetition is `parts` forward results (forward(part)).
Work backward_work(std::function<Tensor(int part)> forward, int parts, Tensor grad, int max_reps) {
  auto outputs = std::make_shared<std::vector<Tensor>>();
  Work work;
  work.prepare = [outputs, forward, parts](int reps) {
    outputs->clear();
    for (int i = 0; i < reps; ++i) {
      for (int part = 0; part < parts; ++part) outputs->push_back(forward(part));
    }
  };
  work.run = [outputs, grad, parts](int i) {
    for (int part = 0; part < parts; ++part) {
      Tensor& output = (*outputs)[size_t(i * parts + part)];
      output.backward(grad);
      output = Tensor();  // frees the graph as training would
    }
  };
  work.max_reps = max_reps;
  return work;
}

// Into how many equal parts a batch must be split so that no input or output
// exceeds the device's buffer limit (the convolution itself splits its columns).
int64_t batch_parts(const ConvLayer& layer, int64_t batch) {
  const uint64_t range = Context::get().limits().max_storage_buffer_range;
  auto fits = [&](int64_t part) {
    return uint64_t(std::max(element_count(layer.input) / layer.input[0] * part,
                             element_count(layer.output(part)))) * sizeof(float) <= range;
  };
  int64_t parts = 1;
  while (!fits(batch / parts) && batch % (2 * parts) == 0) parts *= 2;
  return parts;
}

}  // namespace

std::vector<Row> peak_rows(const Budget& budget) {
  std::vector<Row> rows;
  const uint32_t count = 1u << 20, iterations = 128;  // a multiple of 4 (shaders/benchmark_fma.comp)
  Row fma{"peak", "fma peak", std::to_string(count) + " x 32 x " + std::to_string(iterations) + " FMA",
          Unit::GflopPerSecond, double(count) * 32 * iterations * 2, budget};
  fma.make = [count, iterations] {
    Tensor out = Tensor::empty({int64_t(count)});
    struct {
      uint32_t count, iterations;
      float scale, offset;
    } push{count, iterations, 0.999f, 0.001f};
    return Work{.run = [out, push](int) { launch_linear("benchmark_fma", {out.write()}, push, push.count); }};
  };
  rows.push_back(fma);

  const int64_t floats = 16ll << 20;  // 64 MiB each way
  const double bytes = 2.0 * as_double(floats) * 4;  // read + write
  const std::string shape = "64 MiB read + 64 MiB write";
  struct CopyPush {
    uint32_t count;
  };
  Row texel{"peak", "copy texel->storage", shape, Unit::GbPerSecond, bytes, budget};
  texel.make = [floats] {
    Tensor source = Tensor::full({floats}, 1.0f), target = Tensor::empty({floats});
    if (!fits_texel_buffer(source.range(), BindingKind::TexelRGBA32F)) {
      fail("copy texel->storage: this device cannot read 64 MiB as one texel buffer");
    }
    const CopyPush push{uint32_t(floats / 4)};
    return Work{.run = [source, target, push](int) {
      launch_linear("benchmark_copy", {texels(source.range(), BindingKind::TexelRGBA32F), target.write()}, push,
                    push.count);
    }};
  };
  rows.push_back(texel);
  Row storage{"peak", "copy storage->storage", shape, Unit::GbPerSecond, bytes, budget};
  storage.make = [floats] {
    Tensor source = Tensor::full({floats}, 1.0f), target = Tensor::empty({floats});
    const CopyPush push{uint32_t(floats / 4)};
    return Work{.run = [source, target, push](int) {
      launch_linear("benchmark_copy_storage", {source.read(), target.write()}, push, push.count);
    }};
  };
  rows.push_back(storage);
  Row copy{"peak", "vkCmdCopyBuffer", shape, Unit::GbPerSecond, bytes, budget};
  copy.make = [floats] {
    Tensor source = Tensor::full({floats}, 1.0f), target = Tensor::empty({floats});
    return Work{.run = [source, target](int) { copy_into(target, source); }};
  };
  copy.peer = Json().set("kind", "copy").set("floats", floats);
  rows.push_back(copy);
  return rows;
}

std::vector<Row> gemm_rows(const std::vector<int64_t>& sizes, const Budget& budget) {
  std::vector<Row> rows;
  for (int64_t size : sizes) {
    for (const char* layout : {"NN", "TN", "NT"}) {
      const bool transpose_a = layout[0] == 'T', transpose_b = layout[1] == 'T';
      const std::string shape = std::to_string(size) + "^3";
      Row row{"gemm", std::string("gemm ") + layout + " " + shape, shape + (transpose_a ? ", A stored transposed" : "") +
                                                                       (transpose_b ? ", B stored transposed" : ""),
              Unit::GflopPerSecond, 2.0 * as_double(size) * as_double(size) * as_double(size), budget};
      row.make = [size, transpose_a, transpose_b] {
        Tensor a = Tensor::full({size, size}, 0.5f), b = Tensor::full({size, size}, 0.25f);
        Tensor c = Tensor::empty({size, size});
        Gemm g;
        g.m = g.n = g.k = size;
        g.a = MatrixView::row_major(a, size);
        g.b = MatrixView::row_major(b, size);
        g.c = MatrixView::row_major(c, size);
        if (transpose_a) g.a = g.a.transposed();
        if (transpose_b) g.b = g.b.transposed();
        // The views do not own their tensors: the closure keeps them alive.
        return Work{.run = [g, a, b, c](int) { gemm(g); }};
      };
      row.peer = Json().set("kind", "gemm").set("size", size).set("transpose_a", transpose_a)
                     .set("transpose_b", transpose_b);
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<Row> conv2d_rows(const std::vector<ConvLayer>& layers, int64_t batch, const Budget& budget) {
  std::vector<Row> rows;
  for (const ConvLayer& layer : layers) {
    for (const char* pass : {"fwd", "bwd-data", "bwd-weight"}) {
      const std::string at = " @" + std::to_string(layer.input_size);
      Row row{"conv2d", std::string("conv2d ") + pass + " " + layer.model + "." + layer.layer + at,
              layer.describe(batch) + (layer.also.empty() ? "" : " (= " + layer.also + ")"), Unit::GflopPerSecond,
              layer.flops(batch), budget};
      row.model = layer.model;
      row.pass = pass;
      row.input_size = layer.input_size;
      row.make = [layer, batch, pass = std::string(pass)] {
        // A batch over the device's buffer limit runs in equal parts, one after the other.
        const int64_t parts = batch_parts(layer, batch), part_batch = batch / parts;
        Shape input = layer.input;
        input[0] = part_batch;
        std::vector<Tensor> xs;
        for (int64_t part = 0; part < parts; ++part) xs.push_back(Tensor::full(input, 0.5f));
        Tensor w = Tensor::full(layer.weight, 0.01f), bias = Tensor::full({layer.weight[0]}, 0.1f);
        const Conv2dOptions options = layer.options;
        Work work;
        if (pass == "fwd") {
          work.run = [xs, w, bias, options](int) {
            NoGradGuard no_grad;
            for (const Tensor& x : xs) conv2d(x, w, bias, options);
          };
        } else {
          // The gradient of one operand only, as for a network's first layer (data) or frozen weights (weight).
          const bool data = pass == "bwd-data";
          for (Tensor& x : xs) x.set_requires_grad(data);
          w.set_requires_grad(!data);
          const Shape out = layer.output(part_batch);
          work = backward_work([xs, w, options](int part) { return conv2d(xs[size_t(part)], w, Tensor(), options); },
                               int(parts), Tensor::full(out, 1.0f), reps_within(element_count(out) * 4 * parts));
        }
        if (parts > 1) {
          work.note = [parts, part_batch, batch] {
            return "ran as " + std::to_string(parts) + " batches of " + std::to_string(part_batch) + " (a tensor of " +
                   "batch " + std::to_string(batch) + " exceeds one device buffer)";
          };
        }
        return work;
      };
      row.peer = Json().set("kind", "conv2d").set("pass", pass).set("batch", batch)
                     .set("input", shape_json({layer.input[1], layer.input[2], layer.input[3]}))
                     .set("weight", shape_json(layer.weight)).set("stride", layer.options.stride_h)
                     .set("pad", layer.options.pad_h);
      rows.push_back(row);
    }
  }
  return rows;
}

std::vector<Row> lstm_rows(const Budget& budget) {
  struct Case {
    std::string name;
    int64_t batch, steps, input, hidden;
    bool bidirectional;  // then the final states only, as Pereira's CNN-LSTM head
  };
  // The earlier reports' LSTM, and at batch 1 (almost no arithmetic per step: the
  // cost of a step's launches); Pereira's BiLSTM head (128 units per direction)
  // over 24 slices of ResNet50 features (2048), batch 32.
  const std::vector<Case> cases{{"lstm fwd+bwd", 64, 32, 64, 128, false},
                                {"lstm fwd+bwd batch 1", 1, 32, 64, 128, false},
                                {"bilstm fwd+bwd pereira", 32, 24, 2048, 128, true}};
  std::vector<Row> rows;
  for (const Case& c : cases) {
    // The GEMMs' multiply-adds, forward once and backward twice (gates to inputs, and to weights), per direction.
    const double directions = c.bidirectional ? 2 : 1;
    const double flops =
        directions * 3 * 2.0 * as_double(c.batch * c.steps * 4 * c.hidden * (c.input + c.hidden));
    const std::string shape = "batch " + std::to_string(c.batch) + ", sequence " + std::to_string(c.steps) +
                              ", input " + std::to_string(c.input) + ", hidden " + std::to_string(c.hidden) +
                              (c.bidirectional ? " per direction, final states" : "");
    Row row{"lstm", c.name, shape, Unit::GflopPerSecond, flops, budget};
    row.make = [c] {
      Tensor x = Tensor::full({c.batch, c.steps, c.input}, 0.5f);
      if (c.bidirectional) {
        auto layer = std::make_shared<nn::BiLSTM>(c.input, c.hidden, false, 1);
        Tensor grad = Tensor::full({c.batch, 2 * c.hidden}, 1.0f);
        return Work{.run = [=](int) { layer->forward(x).backward(grad); }};
      }
      Tensor w_ih = Tensor::full({4 * c.hidden, c.input}, 0.01f), w_hh = Tensor::full({4 * c.hidden, c.hidden}, 0.01f);
      Tensor bias = Tensor::zeros({4 * c.hidden});
      for (Tensor* t : {&w_ih, &w_hh, &bias}) t->set_requires_grad(true);
      Tensor grad = Tensor::full({c.batch, c.steps, c.hidden}, 1.0f);
      return Work{.run = [=](int) { lstm(x, w_ih, w_hh, bias).backward(grad); }};
    };
    row.peer = Json().set("kind", "lstm").set("batch", c.batch).set("steps", c.steps).set("input", c.input)
                   .set("hidden", c.hidden).set("bidirectional", c.bidirectional);
    rows.push_back(row);
  }
  return rows;
}

std::vector<Row> batch_norm_rows(const Budget& budget) {
  // Activations of the new papers' networks: a ResNet stage at 56^2 (Pereira's
  // backbones), DeepMedic's second layer on 10 segments, the 3-D M-Net's level 1.
  const std::vector<std::pair<std::string, Shape>> cases{{"2d resnet.stage1", {32, 64, 56, 56}},
                                                          {"3d deepmedic.conv2", {10, 30, 23, 23, 23}},
                                                          {"3d mnet3d.level1", {1, 32, 64, 64, 64}}};
  std::vector<Row> rows;
  for (const auto& [name, shape] : cases) {
    // The least traffic: forward reads x and writes y, backward reads dy and x and writes dx.
    const double bytes = 5.0 * 4.0 * as_double(element_count(shape));
    std::string text = to_string(shape);
    Row row{"batch norm", "batch norm fwd+bwd " + name, text + ", training, affine", Unit::GbPerSecond, bytes, budget};
    row.make = [shape] {
      const int64_t channels = shape[1];
      Tensor x = Tensor::full(shape, 0.5f), grad = Tensor::full(shape, 1.0f);
      Tensor gamma = Tensor::full({channels}, 1.0f), beta = Tensor::zeros({channels});
      Tensor running_mean = Tensor::zeros({channels}), running_var = Tensor::full({channels}, 1.0f);
      for (Tensor* t : {&x, &gamma, &beta}) t->set_requires_grad(true);
      return Work{.run = [=](int) { batch_norm(x, gamma, beta, running_mean, running_var, true).backward(grad); }};
    };
    row.peer = Json().set("kind", "batch_norm").set("shape", shape_json(shape));
    rows.push_back(row);
  }
  return rows;
}

std::vector<VolumeLayer> volume_layers() {
  // DeepMedic (Kamnitsas 2017): training batch of 10 segments of 25^3, valid 3^3
  // convolutions of widths 30, 30, 40, 40, 40, 40, 50, 50 on two input channels
  // (FLAIR, T1c); layers 1, 2, 5 and 8 of the normal pathway. The 3-D M-Net
  // (Wong 2018) at 128^3 with n_s = 16: levels 1 and 2 (64^3, 32 channels;
  // 32^3, 64 channels), padded 3^3. "cube" is the earlier reports' conv3d shape.
  return {{"deepmedic", "conv1", 25, {10, 2, 25, 25, 25}, {30, 2, 3, 3, 3}, 0},
          {"deepmedic", "conv2", 25, {10, 30, 23, 23, 23}, {30, 30, 3, 3, 3}, 0},
          {"deepmedic", "conv5", 25, {10, 40, 17, 17, 17}, {40, 40, 3, 3, 3}, 0},
          {"deepmedic", "conv8", 25, {10, 50, 11, 11, 11}, {50, 50, 3, 3, 3}, 0},
          {"mnet3d", "level1", 128, {1, 32, 64, 64, 64}, {32, 32, 3, 3, 3}, 1},
          {"mnet3d", "level2", 128, {1, 64, 32, 32, 32}, {64, 64, 3, 3, 3}, 1},
          {"bench", "cube", 32, {2, 16, 32, 32, 32}, {32, 16, 3, 3, 3}, 1}};
}

Shape VolumeLayer::output() const {
  Shape out{input[0], weight[0], 0, 0, 0};
  for (size_t axis = 2; axis < 5; ++axis) out[axis] = input[axis] + 2 * pad - weight[axis] + 1;
  return out;
}

double VolumeLayer::flops() const {
  return 2.0 * as_double(element_count(output()) * weight[1] * weight[2] * weight[3] * weight[4]);
}

std::string VolumeLayer::describe() const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  return n(input[0]) + "x" + n(input[1]) + "x" + n(input[2]) + "^3 -> " + n(weight[0]) + "@" + n(weight[2]) +
         "^3 s1 p" + n(pad);
}

std::vector<Row> conv3d_rows(const std::vector<VolumeLayer>& layers, const Budget& budget) {
  std::vector<Row> rows;
  for (const VolumeLayer& layer : layers) {
    for (const char* pass : {"fwd", "bwd-data", "bwd-weight"}) {
      Row row{"conv3d", std::string("conv3d ") + pass + " " + layer.model + "." + layer.layer + " @" +
                            std::to_string(layer.input_size),
              layer.describe(), Unit::GflopPerSecond, layer.flops(), budget};
      row.model = layer.model;
      row.pass = pass;
      row.input_size = layer.input_size;
      row.make = [layer, pass = std::string(pass)] {
        Tensor x = Tensor::full(layer.input, 0.5f);
        Tensor w = Tensor::full(layer.weight, 0.01f), bias = Tensor::full({layer.weight[0]}, 0.1f);
        const Conv3dOptions options = conv3d_options(1, int(layer.pad));
        if (pass == "fwd") {
          return Work{.run = [x, w, bias, options](int) {
            NoGradGuard no_grad;
            conv3d(x, w, bias, options);
          }};
        }
        // The gradient of one operand only, as in conv2d_rows.
        const bool data = pass == "bwd-data";
        x.set_requires_grad(data);
        w.set_requires_grad(!data);
        const Shape out = layer.output();
        return backward_work([x, w, options](int) { return conv3d(x, w, Tensor(), options); }, 1,
                             Tensor::full(out, 1.0f), reps_within(element_count(out) * 4));
      };
      row.peer = Json().set("kind", "conv3d").set("pass", pass).set("input", shape_json(layer.input))
                     .set("weight", shape_json(layer.weight)).set("pad", layer.pad);
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace medrepro::bench
