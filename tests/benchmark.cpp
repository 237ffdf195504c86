// medrepro_benchmark: times the kernels that dominate training (GEMM, conv2d
// forward and both backward passes, a whole LeNet step) plus an FMA peak and a
// copy bandwidth, on the selected Vulkan device.
//
// Each row is the median over several timed samples after a warm-up (which also
// builds the pipelines). A sample records the work `reps` times and waits for
// the device once, so short kernels are not dominated by the submit-and-wait
// cost; times are host wall-clock around Stream::synchronize, per repetition.
// Columns: median wall ms, spread = (max - min) / median over the samples,
// median process CPU ms (on a CPU driver, wall ms ~ cpu ms / cores when the
// machine is otherwise idle), and the rate at the median wall time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/nn/layers.h"
#include "core/ops/conv2d.h"
#include "core/ops/gemm.h"
#include "core/ops/loss.h"
#include "core/optim.h"
#include "core/stream.h"

namespace medrepro {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Settings {
  int samples = 7;
  double sample_ms = 40;  // aim for samples at least this long
  int max_reps = 64;
};

// What one row measures: prepare(reps) does untimed set-up for a sample (and
// may record device work, which is finished before the clock starts); run(i)
// records repetition i.
struct Work {
  std::function<void(int reps)> prepare = [](int) {};
  std::function<void(int i)> run;
  int max_reps = 1 << 20;  // e.g. to bound the memory that prepare holds
};

// CPU time of the whole process (its driver threads included): on a CPU driver
// sharing the machine with other work, this shows the cost that wall-clock
// time hides behind waiting for a core.
double process_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

struct Timing {
  double median_ms = 0, min_ms = 0, max_ms = 0;
  double cpu_ms = 0;  // median process CPU time
};

struct Sample {
  double wall_ms, cpu_ms;
};

Sample sample(Work& work, int reps) {
  work.prepare(reps);
  Context::get().stream().synchronize();
  const double cpu_start = process_cpu_ms();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < reps; ++i) work.run(i);
  Context::get().stream().synchronize();
  return {elapsed_ms(start) / reps, (process_cpu_ms() - cpu_start) / reps};
}

Timing measure(Work work, const Settings& settings) {
  sample(work, 1);  // warm-up: pipelines, allocator blocks
  const double once = sample(work, 1).wall_ms;
  const int reps = std::clamp(static_cast<int>(settings.sample_ms / std::max(once, 1e-3)), 1,
                              std::min(settings.max_reps, work.max_reps));
  std::vector<double> times, cpu;
  for (int s = 0; s < settings.samples; ++s) {
    const Sample one = sample(work, reps);
    times.push_back(one.wall_ms);
    cpu.push_back(one.cpu_ms);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu.begin(), cpu.end());
  return {times[times.size() / 2], times.front(), times.back(), cpu[cpu.size() / 2]};
}

void print_header() {
  std::printf("%-26s %-34s %10s %8s %9s %14s\n", "kernel", "shape", "median ms", "spread", "cpu ms", "rate");
  std::printf("%s\n", std::string(106, '-').c_str());
}

// rate_unit: "GFLOP/s" with work = flops, "GB/s" with work = bytes, "img/s" with work = images.
void print_row(const std::string& kernel, const std::string& shape, const Timing& t, double work,
               const char* rate_unit) {
  const double spread = t.median_ms > 0 ? 100.0 * (t.max_ms - t.min_ms) / t.median_ms : 0.0;
  const double rate = work / (t.median_ms * 1e-3) / (std::string(rate_unit) == "img/s" ? 1.0 : 1e9);
  std::printf("%-26s %-34s %10.3f %7.1f%% %9.3f %8.1f %s\n", kernel.c_str(), shape.c_str(), t.median_ms, spread,
              t.cpu_ms, rate, rate_unit);
  std::fflush(stdout);
}

Tensor filled(const Shape& shape, float value) { return Tensor::full(shape, value); }

// ---------------------------------------------------------------- GEMM

double as_double(int64_t v) { return static_cast<double>(v); }

void bench_gemm(int64_t size, const Settings& settings) {
  const double flops = 2.0 * as_double(size) * as_double(size) * as_double(size);
  Tensor a = filled({size, size}, 0.5f), b = filled({size, size}, 0.25f), c = Tensor::empty({size, size});
  Gemm g;
  g.m = g.n = g.k = size;
  g.a = MatrixView::row_major(a, size);
  g.b = MatrixView::row_major(b, size);
  g.c = MatrixView::row_major(c, size);
  const std::string shape = std::to_string(size) + "^3";
  print_row("gemm NN", shape, measure({.run = [&](int) { gemm(g); }}, settings), flops,
            "GFLOP/s");
  Gemm t = g;  // the transposed layouts conv2d and linear backward use
  t.a = g.a.transposed();
  print_row("gemm TN", shape, measure({.run = [&](int) { gemm(t); }}, settings), flops,
            "GFLOP/s");
  t = g;
  t.b = g.b.transposed();
  print_row("gemm NT", shape, measure({.run = [&](int) { gemm(t); }}, settings), flops,
            "GFLOP/s");
}

// One GEMM of the given sizes; A stored [m, k] (or [k, m] with transpose_a), B [k, n] (or [n, k]).
void bench_gemm_shape(int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b, const Settings& settings) {
  Tensor a = filled({m * k}, 0.5f), b = filled({k * n}, 0.25f), c = Tensor::empty({m, n});
  Gemm g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = transpose_a ? MatrixView::row_major(a, m).transposed() : MatrixView::row_major(a, k);
  g.b = transpose_b ? MatrixView::row_major(b, k).transposed() : MatrixView::row_major(b, n);
  g.c = MatrixView::row_major(c, n);
  const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  print_row(std::string("gemm ") + (transpose_a ? "T" : "N") + (transpose_b ? "T" : "N"), shape,
            measure({.run = [&](int) { gemm(g); }}, settings), 2.0 * as_double(m) * as_double(n) * as_double(k),
            "GFLOP/s");
}

// ---------------------------------------------------------------- conv2d

struct ConvShape {
  std::string name;
  int64_t batch, channels, height, width, out_channels, kernel;
  Conv2dOptions options;

  int64_t out_h() const { return (height + 2 * options.pad_h - kernel) / options.stride_h + 1; }
  int64_t out_w() const { return (width + 2 * options.pad_w - kernel) / options.stride_w + 1; }
  double flops() const {  // each of forward, backward-data, backward-weight
    return 2.0 * static_cast<double>(batch * out_channels * out_h() * out_w() * channels * kernel * kernel);
  }
  std::string describe() const {
    return std::to_string(batch) + "x" + std::to_string(channels) + "x" + std::to_string(height) + "x" +
           std::to_string(width) + " -> " + std::to_string(out_channels) + "@" + std::to_string(kernel) + "x" +
           std::to_string(kernel) + (options.stride_h > 1 ? " s" + std::to_string(options.stride_h) : "") +
           (options.pad_h > 0 ? " p" + std::to_string(options.pad_h) : "");
  }
};

void bench_conv(const ConvShape& s, const Settings& settings, const std::string& pass) {
  Tensor x = filled({s.batch, s.channels, s.height, s.width}, 0.5f);
  Tensor w = filled({s.out_channels, s.channels, s.kernel, s.kernel}, 0.01f);
  Tensor bias = filled({s.out_channels}, 0.1f);
  const std::string shape = s.describe();
  const Shape out_shape{s.batch, s.out_channels, s.out_h(), s.out_w()};
  Tensor grad = filled(out_shape, 1.0f);
  const int64_t out_bytes = element_count(out_shape) * 4;
  const int memory_reps = static_cast<int>(std::max<int64_t>(1, (256ll << 20) / out_bytes));

  if (pass.empty() || pass == "fwd") {
    NoGradGuard no_grad;
    print_row("conv2d fwd " + s.name, shape,
              measure({.run = [&](int) { conv2d(x, w, bias, s.options); }}, settings), s.flops(), "GFLOP/s");
  }
  // Backward passes: the forward outputs (with their graphs) are made untimed in prepare.
  auto backward = [&](bool data) {
    Tensor xs = x.detach(), ws = w.detach();
    (data ? xs : ws).set_requires_grad(true);
    std::vector<Tensor> outputs;
    Work work;
    work.prepare = [&, xs, ws](int reps) {
      outputs.clear();
      for (int i = 0; i < reps; ++i) outputs.push_back(conv2d(xs, ws, Tensor(), s.options));
    };
    work.run = [&](int i) {
      outputs[size_t(i)].backward(grad);
      outputs[size_t(i)] = Tensor();
    };
    work.max_reps = memory_reps;
    return measure(work, settings);
  };
  if (pass == "gemm") {  // the GEMMs of the three passes alone, on im2col-shaped operands
    const int64_t rows = s.channels * s.kernel * s.kernel, positions = s.out_h() * s.out_w();
    Tensor columns = filled({s.batch, rows, positions}, 0.5f), dw = Tensor::empty(w.shape());
    Tensor out = Tensor::empty(out_shape);
    Gemm fwd;
    fwd.m = s.out_channels;
    fwd.n = positions;
    fwd.k = rows;
    fwd.batch = s.batch;
    fwd.a = MatrixView::row_major(w, rows);
    fwd.b = MatrixView::row_major(columns, positions).batched(rows * positions);
    fwd.c = MatrixView::row_major(out, positions).batched(s.out_channels * positions);
    Gemm data = fwd;
    data.m = rows;
    data.k = s.out_channels;
    data.a = MatrixView::row_major(w, rows).transposed();
    data.b = MatrixView::row_major(grad, positions).batched(s.out_channels * positions);
    data.c = MatrixView::row_major(columns, positions).batched(rows * positions);
    Gemm weight = fwd;
    weight.n = rows;
    weight.k = positions;
    weight.sum_over_batch = true;
    weight.a = MatrixView::row_major(grad, positions).batched(s.out_channels * positions);
    weight.b = MatrixView::row_major(columns, positions).batched(rows * positions).transposed();
    weight.c = MatrixView::row_major(dw, rows);
    print_row("gemm of fwd " + s.name, shape, measure({.run = [&](int) { gemm(fwd); }}, settings), s.flops(),
              "GFLOP/s");
    print_row("gemm of bwd-data " + s.name, shape, measure({.run = [&](int) { gemm(data); }}, settings), s.flops(),
              "GFLOP/s");
    print_row("gemm of bwd-weight " + s.name, shape, measure({.run = [&](int) { gemm(weight); }}, settings),
              s.flops(), "GFLOP/s");
  }
  if (pass.empty() || pass == "bwd-data") {
    print_row("conv2d bwd-data " + s.name, shape, backward(true), s.flops(), "GFLOP/s");
  }
  if (pass.empty() || pass == "bwd-weight") {
    print_row("conv2d bwd-weight " + s.name, shape, backward(false), s.flops(), "GFLOP/s");
  }
}

// ---------------------------------------------------------------- LeNet step

struct LeNet : nn::Sequential {
  LeNet() {  // Caffe's LeNet on 32x32 inputs
    emplace<nn::Conv2d>(1, 20, 5, 1, 0, nn::WeightInit::xavier(), 1);
    emplace<nn::MaxPool2d>(pool2d(2, 2));
    emplace<nn::Conv2d>(20, 50, 5, 1, 0, nn::WeightInit::xavier(), 2);
    emplace<nn::MaxPool2d>(pool2d(2, 2));
    emplace<nn::Flatten>();
    emplace<nn::Linear>(50 * 5 * 5, 500, nn::WeightInit::xavier(), 3);
    emplace<nn::ReLU>();
    emplace<nn::Linear>(500, 10, nn::WeightInit::xavier(), 4);
  }
};

void bench_lenet_step(const Settings& settings) {
  const int64_t batch = 64;
  LeNet net;
  Sgd sgd(net.parameters(), {});
  std::vector<float> labels(batch);
  for (int64_t i = 0; i < batch; ++i) labels[size_t(i)] = float(i % 10);
  Tensor x = filled({batch, 1, 32, 32}, 0.5f), y = Tensor::from_host({batch}, labels);
  auto step = [&] {
    Tensor loss = cross_entropy(net(x), y);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  };
  // One step per sample: steps of a training loop are not batched any further.
  Settings one = settings;
  one.max_reps = 1;
  const Timing t = measure({.run = [&](int) { step(); }}, one);
  print_row("lenet train step", "64x1x32x32, fwd+bwd+sgd", t, as_double(batch), "img/s");
  // Where the step goes: the forward alone, the forward per layer, and the optimiser.
  {
    NoGradGuard no_grad;
    print_row("  lenet forward", "64x1x32x32 (no graph)", measure({.run = [&](int) { cross_entropy(net(x), y); }}, one),
              as_double(batch), "img/s");
  }
  print_row("  lenet sgd step", "431080 parameters", measure({.run = [&](int) { sgd.step(); }}, one), as_double(batch),
            "img/s");
}

// ---------------------------------------------------------------- peaks

void bench_peaks(const Settings& settings) {
  {
    const uint32_t count = 1u << 20, iterations = 256;
    Tensor out = Tensor::empty({int64_t(count)});
    struct {
      uint32_t count, iterations;
      float scale, offset;
    } push{count, iterations, 0.999f, 0.001f};
    print_row("fma peak", std::to_string(count) + " x 16 x " + std::to_string(iterations),
              measure({.run = [&](int) { launch_linear("benchmark_fma", {out.write()}, push, count); }},
                      settings),
              double(count) * 16 * iterations * 2, "GFLOP/s");
  }
  const int64_t floats = 16ll << 20;  // 64 MiB each way
  Tensor source = filled({floats}, 1.0f), target = Tensor::empty({floats});
  struct {
    uint32_t count;
  } push{uint32_t(floats / 4)};
  const double bytes = 2.0 * floats * 4;  // read + write
  const std::string shape = "64 MiB read + 64 MiB write";
  if (fits_texel_buffer(source.range(), BindingKind::TexelRGBA32F)) {
    print_row("copy texel->storage", shape,
              measure({.run = [&](int) {
                         launch_linear("benchmark_copy", {texels(source.range(), BindingKind::TexelRGBA32F),
                                                          target.write()},
                                       push, push.count);
                       }},
                      settings),
              bytes, "GB/s");
  }
  print_row("copy storage->storage", shape,
            measure({.run = [&](int) {
                       launch_linear("benchmark_copy_storage", {source.read(), target.write()}, push, push.count);
                     }},
                    settings),
            bytes, "GB/s");
  print_row("vkCmdCopyBuffer", shape, measure({.run = [&](int) { copy_into(target, source); }}, settings), bytes,
            "GB/s");
}

int run(int argc, char** argv) {
  Args args(argc, argv,
            "usage: medrepro_benchmark [--device N] [--quick] [--large] [--samples N] [--only gemm|conv|lenet|peak]\n"
            "       [--shape NAME] [--pass fwd|bwd-data|bwd-weight|gemm]\n"
            "  --quick  fewer samples and shapes (a smoke run)\n"
            "  --large  adds GEMM 2048^3 and the full-size AlexNet conv2 (27x27)\n"
            "  --shape  only the conv2d shape of this name (lenet1, lenet2, alex1, alex2, alex2-27)\n"
            "  --pass   only this conv2d pass; 'gemm': the GEMMs of the three passes alone\n"
            "  --gemm-shape M,N,K[,TA,TB]  only this GEMM (TA/TB = 1: operand stored transposed)\n"
            "  GEMM tuning (core/ops/gemm.h GemmTuning): --gemm-path auto|storage, --tile-m T,\n"
            "  --tile-n T, --lanes L, --no-fold, --no-transpose, --no-pack");
  const DeviceOptions device = args.device_options();
  const bool quick = args.flag("quick");
  const bool large = args.flag("large");
  const long long samples = args.integer("samples", 0);
  const std::string only = args.text("only", "");
  const std::string args_shape = args.text("shape", "");
  const std::string args_pass = args.text("pass", "");
  const std::string gemm_shape = args.text("gemm-shape", "");
  GemmTuning tuning;
  tuning.tile_m = static_cast<uint32_t>(args.integer("tile-m", 0));
  tuning.tile_n = static_cast<uint32_t>(args.integer("tile-n", 0));
  tuning.lanes = static_cast<uint32_t>(args.integer("lanes", 0));
  const std::string path = args.text("gemm-path", "auto");
  if (path != "auto" && path != "storage") fail("--gemm-path expects auto or storage");
  tuning.path = path == "storage" ? GemmPath::Storage : GemmPath::Auto;
  if (args.flag("no-fold")) tuning.fold_batch = false;
  if (args.flag("no-transpose")) tuning.transpose = false;
  if (args.flag("no-pack")) tuning.pack = false;
  args.finish();

  Context::open(device);
  set_gemm_tuning(tuning);
  std::printf("device: %s\n\n", describe(Context::get().info()).c_str());
  Settings settings;
  if (quick) {
    settings.samples = 3;
    settings.sample_ms = 10;
  }
  if (samples > 0) settings.samples = static_cast<int>(samples);
  auto wanted = [&](const char* group) { return only.empty() || only == group; };
  print_header();

  if (!gemm_shape.empty()) {  // --gemm-shape M,N,K[,TA,TB]
    long long v[5] = {0, 0, 0, 0, 0};
    int count = std::sscanf(gemm_shape.c_str(), "%lld,%lld,%lld,%lld,%lld", &v[0], &v[1], &v[2], &v[3], &v[4]);
    if (count < 3 || v[0] < 1 || v[1] < 1 || v[2] < 1) fail("--gemm-shape expects M,N,K[,TA,TB]");
    bench_gemm_shape(v[0], v[1], v[2], v[3] != 0, v[4] != 0, settings);
    return 0;
  }
  if (wanted("peak")) bench_peaks(settings);
  if (wanted("gemm")) {
    for (int64_t size : {256, 1024}) bench_gemm(size, settings);
    if (large) bench_gemm(2048, settings);
  }
  if (wanted("conv")) {
    std::vector<ConvShape> shapes = {
        {"lenet1", 64, 1, 32, 32, 20, 5, {}},
        {"lenet2", 64, 20, 14, 14, 50, 5, {}},
        {"alex1", 64, 1, 64, 64, 96, 11, {4, 4, 0, 0, 1, 1}},
        {"alex2", 64, 96, 14, 14, 256, 5, {1, 1, 2, 2, 1, 1}},  // on conv1's 14x14 output
    };
    if (quick) shapes.resize(2);
    if (large) shapes.push_back({"alex2-27", 16, 96, 27, 27, 256, 5, {1, 1, 2, 2, 1, 1}});
    const std::string only_shape = args_shape;
    for (const ConvShape& s : shapes) {
      if (only_shape.empty() || s.name == only_shape) bench_conv(s, settings, args_pass);
    }
  }
  if (wanted("lenet")) bench_lenet_step(settings);
  return 0;
}

}  // namespace
}  // namespace medrepro

int main(int argc, char** argv) {
  try {
    const int code = medrepro::run(argc, argv);
    medrepro::Context::close();
    return code;
  } catch (const medrepro::Error& e) {
    std::fprintf(stderr, "medrepro_benchmark: %s\n", e.what());
    return 1;
  }
}
