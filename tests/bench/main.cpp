// medrepro_benchmark: our kernels and training steps against PyTorch (the peer)
// and the device's measured peak. Prints one table and writes report.md,
// benchmark.csv and plots to --out (default <source>/reports/performance).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "core/timestamps.h"
#include "tests/bench/host_peak.h"
#include "tests/bench/kernel_rows.h"
#include "tests/bench/model_rows.h"
#include "tests/bench/peer.h"
#include "tests/bench/report.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace medrepro::bench {
namespace {

const char* const kUsage =
    "usage: medrepro_benchmark [--quick] [--rows TEXT[,TEXT...]] [--out DIR] [--python PATH] [--no-peer]\n"
    "                          [--samples N] [--device N] [--validation]\n"
    "  --quick    few samples, and only the 64x64 model shapes and GEMM 1024 (a few minutes)\n"
    "  --rows     only rows whose name contains one of these texts at the start of a word,\n"
    "             e.g. --rows 'gemm,train step alexnet' ('lenet' does not select googlenet)\n"
    "  --out      where report.md, benchmark.csv and the plots go (default <source>/reports/performance)\n"
    "  --python   the interpreter for the PyTorch peer (default: /usr/bin/python3, then python3)\n"
    "  --no-peer  our rows only\n"
    "  --samples  at most this many samples per row (each row also has a time budget)";

const std::vector<std::string> kModels = {"lenet", "alexnet", "proposed", "googlenet"};
constexpr int64_t kBatch = 64;

struct Plan {
  Budget kernel, step, large_step;
  std::vector<int64_t> gemm_sizes;
  std::vector<int> model_sizes;  // 0 stands for each model's native size
};

Plan make_plan(bool quick, long long samples) {
  Plan plan;
  plan.kernel = {.samples = 7, .min_samples = 3, .seconds = 6};
  plan.step = {.samples = 7, .min_samples = 3, .seconds = 10};
  plan.large_step = {.samples = 5, .min_samples = 3, .seconds = 20};
  plan.gemm_sizes = {1024, 2048};
  plan.model_sizes = {64, 0};
  if (quick) {
    for (Budget* b : {&plan.kernel, &plan.step, &plan.large_step}) *b = {.samples = 3, .min_samples = 2, .seconds = 1.5, .sample_ms = 10};
    plan.gemm_sizes = {1024};
    plan.model_sizes = {64};
  }
  if (samples > 0) {
    for (Budget* b : {&plan.kernel, &plan.step, &plan.large_step}) {
      b->samples = static_cast<int>(samples);
      b->min_samples = std::min(b->min_samples, b->samples);
    }
  }
  return plan;
}

std::vector<Row> all_rows(const Plan& plan) {
  std::vector<Row> rows = peak_rows(plan.kernel);
  // On a CPU driver the host's own peak is the device's ceiling.
  if (Context::get().info().type == "CPU") {
    for (Row& row : host_peak_rows(plan.kernel)) rows.push_back(row);
  }
  for (Row& row : gemm_rows(plan.gemm_sizes, plan.kernel)) rows.push_back(row);
  for (int size : plan.model_sizes) {
    // Models of one input size together, so that a shape two of them share is timed once.
    const std::vector<std::vector<std::string>> groups =
        size ? std::vector<std::vector<std::string>>{kModels}
             : std::vector<std::vector<std::string>>{{"lenet"}, {"alexnet", "proposed"}, {"googlenet"}};
    for (const std::vector<std::string>& models : groups) {
      const int input = size ? size : native_input_size(models.front());
      for (Row& row : conv2d_rows(model_convs(models, input), kBatch, plan.kernel)) rows.push_back(row);
    }
  }
  for (Row& row : lstm_rows(plan.kernel)) rows.push_back(row);
  for (Row& row : batch_norm_rows(plan.kernel)) rows.push_back(row);
  for (Row& row : conv3d_rows(volume_layers(), plan.kernel)) rows.push_back(row);
  for (int size : plan.model_sizes) {
    for (const std::string& model : kModels) {
      const int input = size ? size : native_input_size(model);
      rows.push_back(training_step_row(model, input, kBatch, input > 64 ? plan.large_step : plan.step));
    }
  }
  // Wong et al.'s cpu profile (64x64, n_s 4, batch 5), and the 3-D M-Net on a 64^3 volume (n_s 8, batch 1).
  rows.push_back(segmentation_step_row(2, 64, 4, 5, plan.step));
  rows.push_back(segmentation_step_row(3, 64, 8, 1, plan.large_step));
  return rows;
}

// Whether `text` occurs in `name` where a word starts, so that 'lenet' does not pick googlenet's rows.
bool contains_at_word_start(const std::string& name, const std::string& text) {
  for (size_t at = name.find(text); at != std::string::npos; at = name.find(text, at + 1)) {
    if (at == 0 || !std::isalnum(static_cast<unsigned char>(name[at - 1]))) return true;
  }
  return false;
}

bool selected(const Row& row, const std::string& filter) {
  if (filter.empty()) return true;
  std::stringstream parts(filter);
  std::string part;
  while (std::getline(parts, part, ',')) {
    if (!part.empty() && contains_at_word_start(row.name, part)) return true;
  }
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(int argc, char** argv) {
  Args args(argc, argv, kUsage);
  const DeviceOptions device = args.device_options();
  const bool quick = args.flag("quick");
  const std::string filter = args.text("rows", "");
  const std::string out = args.text("out", std::string(MEDREPRO_SOURCE_DIR) + "/reports/performance");
  const std::string python = args.text("python", "");
  const bool no_peer = args.flag("no-peer");
  const long long samples = args.integer("samples", 0);
  args.finish();

  const auto start = std::chrono::steady_clock::now();
  RunDescription description;
  description.load_before = load_average();
  Context& context = Context::open(device);
  description.run = report::collect_run_info(argc, argv);
  description.cpu_model = cpu_model_name();
  description.cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  description.quick = quick;
  description.rows_filter = filter;
  description.timestamp_period_ns = DeviceTimer::supported(context) ? context.limits().timestamp_period_ns : 0;
  std::fprintf(stderr, "device: %s\n", describe(context.info()).c_str());

  std::vector<Result> results;
  for (Row& row : all_rows(make_plan(quick, samples))) {
    if (selected(row, filter)) results.push_back({row, {}, {}});
  }
  if (results.empty()) fail("--rows '" + filter + "' selects no row");
  for (size_t i = 0; i < results.size(); ++i) {
    Result& r = results[i];
    std::fprintf(stderr, "[%zu/%zu] %s ... ", i + 1, results.size(), r.row.name.c_str());
    try {
      Work work = r.row.make();
      r.ours = measure(work, r.row.budget, r.row.device_time);
      if (r.row.group != "peak" && r.row.group != "gemm") r.kernel_shares = kernel_shares(work);
      if (work.note) r.note = work.note();
      r.forward_flops_per_image = work.forward_flops_per_image;
    } catch (const Error& e) {
      // One row the device cannot run (a tensor over its limits) does not end the others.
      r.error = e.what();
      context.stream().synchronize();
      std::fprintf(stderr, "failed: %s\n", r.error.c_str());
      continue;
    }
    context.require_no_validation_messages(r.row.name);
    std::fprintf(stderr, "%.3f ms, %.2f %s\n", r.ours.primary().median, r.our_rate(), unit_name(r.row.unit));
  }

  if (no_peer) {
    description.peer_absent = "--no-peer";
  } else if (std::string why; (description.probe = probe_peer(python, why))) {
    for (const PeerConfig& config : peer_configs(*description.probe, context.info().type != "CPU")) {
      std::fprintf(stderr, "peer: %s (%s)\n", config.label.c_str(), description.probe->python.c_str());
      description.peers.push_back(run_peer(*description.probe, config, results));
      const PeerRun& peer = description.peers.back();
      if (!peer.failure.empty()) std::fprintf(stderr, "peer: %s\n", peer.failure.c_str());
      for (Result& r : results) {
        const auto found = peer.timings.find(r.row.name);
        r.peers.push_back(found == peer.timings.end() ? std::nullopt : std::optional<PeerTiming>(found->second));
      }
    }
  } else {
    description.peer_absent = "no Python with torch: " + why;
    std::fprintf(stderr, "peer: none (%s)\n", description.peer_absent.c_str());
  }

  description.target_set = target_set_name(context.info());
  description.verdicts = judge_targets(context.info(), results, description.peers);
  description.load_after = load_average();
  description.seconds = seconds_since(start);
  std::printf("device: %s\n\n%s\n", describe(context.info()).c_str(),
              format_table(results, description.peers).c_str());
  for (const TargetVerdict& v : description.verdicts) {
    std::printf("target: %s: %s (%s)\n", v.target.c_str(), v.met ? (*v.met ? "met" : "not met") : "not judged",
                v.measured.c_str());
  }
  for (const std::string& path : write_report(out, description, results)) std::printf("wrote %s\n", path.c_str());
  return 0;
}

}  // namespace
}  // namespace medrepro::bench

int main(int argc, char** argv) {
  const medrepro::ContextScope device_scope;
  try {
    return medrepro::bench::run(argc, argv);
  } catch (const medrepro::Error& e) {
    std::fprintf(stderr, "medrepro_benchmark: %s\n", e.what());
    return 1;
  }
}
