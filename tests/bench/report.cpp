#include "tests/bench/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "papers/common/files.h"
#include "papers/common/svg_plot.h"
#include "tests/bench/kernel_rows.h"
#include "tests/bench/model_rows.h"

namespace medrepro::bench {
namespace {

// A table of strings, printed as aligned text or as Markdown.
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> text_columns = {1, 2};  // left-aligned in Markdown; the others are numbers
};

std::string fixed(double value, int decimals) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// Three significant digits at most, without exponents for the sizes seen here.
std::string rate_text(double value) {
  if (value >= 100) return fixed(value, 0);
  if (value >= 10) return fixed(value, 1);
  return fixed(value, 2);
}

std::string ms_text(double ms) { return ms >= 100 ? fixed(ms, 1) : ms >= 1 ? fixed(ms, 2) : fixed(ms, 3); }

std::string optional_text(const std::optional<double>& value, int decimals) {
  return value ? fixed(*value, decimals) : "-";
}

// A kernel's GFLOP/s as a share of the device's measured peak (the FMA-bound shader of the same run).
std::string share_of_peak(const Result& r, const std::optional<double>& peak) {
  if (!peak || !r.error.empty() || r.row.unit != Unit::GflopPerSecond || r.row.group == "peak") return "-";
  return fixed(100.0 * r.our_rate() / *peak, 0) + "%";
}

Table make_table(const std::vector<Result>& results, const std::vector<PeerRun>& peers) {
  const std::optional<double> peak = rate_of(results, "fma peak");
  Table table;
  table.headers = {"#", "row", "shape", "device ms", "wall ms", "spread", "CPU ms", "ours", "% peak"};
  for (const PeerRun& peer : peers) {
    table.headers.push_back(peer.config.label + " ms");
    table.headers.push_back(peer.config.label);
    table.headers.push_back("ours/peer");
  }
  table.headers.push_back("unit");
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    std::vector<std::string> cells = {std::to_string(i + 1), r.row.name, r.row.shape, "-", "-", "-", "-", "failed", "-"};
    if (r.error.empty()) {
      cells = {cells[0], cells[1], cells[2], r.ours.device ? ms_text(r.ours.device->median) : "-",
               ms_text(r.ours.wall.median), fixed(100 * r.ours.primary().relative(), 1) + "%", ms_text(r.ours.cpu_ms),
               rate_text(r.our_rate()), share_of_peak(r, peak)};
    }
    for (size_t p = 0; p < peers.size(); ++p) {
      const std::optional<PeerTiming>& theirs = p < r.peers.size() ? r.peers[p] : std::nullopt;
      cells.push_back(theirs ? ms_text(theirs->time.median) : "-");
      const std::optional<double> rate = r.peer_rate(p);
      cells.push_back(rate ? rate_text(*rate) : "-");
      cells.push_back(optional_text(r.ratio(p), 2));
    }
    cells.push_back(unit_name(r.row.unit));
    table.rows.push_back(cells);
  }
  return table;
}

std::string render_text(const Table& table) {
  std::vector<size_t> widths(table.headers.size());
  for (size_t c = 0; c < widths.size(); ++c) {
    widths[c] = table.headers[c].size();
    for (const auto& row : table.rows) widths[c] = std::max(widths[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      const bool left = c == 1 || c == 2;  // names and shapes; numbers align right
      const std::string pad(widths[c] - cells[c].size(), ' ');
      out += (c ? "  " : "") + (left ? cells[c] + pad : pad + cells[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(table.headers);
  size_t total = 0;
  for (size_t w : widths) total += w + 2;
  out += std::string(total - 2, '-') + "\n";
  for (const auto& row : table.rows) out += line(row);
  return out;
}

std::string render_markdown(const Table& table) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const std::string& cell : cells) out += " " + cell + " |";
    return out + "\n";
  };
  std::string out = line(table.headers) + "|";
  for (size_t c = 0; c < table.headers.size(); ++c) {
    const bool text = std::find(table.text_columns.begin(), table.text_columns.end(), c) != table.text_columns.end();
    out += text ? "---|" : "--:|";
  }
  out += "\n";
  for (const auto& row : table.rows) out += line(row);
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string slug(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line.append(i ? "," : "").append(csv_field(fields[i]));
  return line + "\n";
}

std::string csv(const std::vector<Result>& results, const std::vector<PeerRun>& peers) {
  std::vector<std::string> header = {"index", "group", "name", "shape", "unit", "work_per_rep", "device_ms",
                                     "device_min_ms", "device_max_ms", "wall_ms", "wall_min_ms", "wall_max_ms",
                                     "spread", "cpu_ms", "samples", "reps", "rate"};
  for (const PeerRun& peer : peers) {
    const std::string s = slug(peer.config.label);
    for (const char* column : {"_ms", "_min_ms", "_max_ms", "_rate"}) header.push_back(s + column);
    header.push_back("ratio_" + s);
  }
  std::string out = csv_line(header);
  const auto number = [](double v) { return fixed(v, 6); };
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (!r.error.empty()) continue;  // named in report.md's notes
    std::vector<std::string> fields = {std::to_string(i + 1), r.row.group, r.row.name, r.row.shape,
                                       unit_name(r.row.unit), fixed(r.row.work, 0)};
    if (const std::optional<Spread>& device = r.ours.device) {
      for (double v : {device->median, device->min, device->max}) fields.push_back(number(v));
    } else {
      fields.insert(fields.end(), 3, "");
    }
    for (double v : {r.ours.wall.median, r.ours.wall.min, r.ours.wall.max, r.ours.primary().relative(), r.ours.cpu_ms}) {
      fields.push_back(number(v));
    }
    fields.push_back(std::to_string(r.ours.samples));
    fields.push_back(std::to_string(r.ours.reps));
    fields.push_back(number(r.our_rate()));
    for (size_t p = 0; p < peers.size(); ++p) {
      const std::optional<PeerTiming>& theirs = p < r.peers.size() ? r.peers[p] : std::nullopt;
      for (const std::optional<double>& v :
           {theirs ? std::optional(theirs->time.median) : std::nullopt,
            theirs ? std::optional(theirs->time.min) : std::nullopt,
            theirs ? std::optional(theirs->time.max) : std::nullopt, r.peer_rate(p), r.ratio(p)}) {
        fields.push_back(v ? number(*v) : "");
      }
    }
    out += csv_line(fields);
  }
  return out;
}

// Our rate and each peer's against the row number of the table, for the rows of one unit.
report::Plot throughput_plot(const std::vector<Result>& results, const std::vector<PeerRun>& peers, Unit unit,
                             const std::string& title) {
  report::Plot plot{title, "row (# in report.md)", unit_name(unit)};
  report::Series ours{"ours (medrepro)"};
  std::vector<report::Series> theirs;
  for (const PeerRun& peer : peers) theirs.push_back({peer.config.label, {}, {}, {}, true});
  const double missing = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (r.row.unit != unit || !r.error.empty()) continue;
    ours.x.push_back(double(i + 1));
    ours.y.push_back(r.our_rate());
    for (size_t p = 0; p < peers.size(); ++p) {
      theirs[p].x.push_back(double(i + 1));
      theirs[p].y.push_back(r.peer_rate(p).value_or(missing));
    }
  }
  plot.series.push_back(ours);
  for (const report::Series& s : theirs) plot.series.push_back(s);
  plot.y_min = 0;
  double top = 0;
  for (const report::Series& s : plot.series) {
    for (double y : s.y) {
      if (std::isfinite(y)) top = std::max(top, y);
    }
  }
  plot.y_max = top > 0 ? top * 1.05 : 1;
  return plot;
}

std::string percent(double part, double whole) { return fixed(100.0 * part / whole, 0) + "%"; }

// Training steps as FLOP rates (3 x the forward's FLOPs per image: forward, backward to the data and to the
// weights), ours and the peer's (peer 0: on a CPU driver, PyTorch on the CPU), against our fastest GEMM:
// what a step-ratio target asks of the kernels.
std::string step_flops_text(const std::vector<Result>& results, double best_gemm) {
  Table table;
  table.text_columns = {0};
  table.headers = {"step", "forward MFLOP/image", "ours GFLOP/s", "ours / fastest GEMM", "peer GFLOP/s",
                   "peer / fastest GEMM"};
  for (const Result& r : results) {
    if (r.row.group != "train step" || !r.error.empty() || r.forward_flops_per_image <= 0) continue;
    const double flops = 3.0 * r.forward_flops_per_image;
    const double ours = r.our_rate() * flops / 1e9;
    const std::optional<double> peer_images = r.peer_rate(0);
    const std::optional<double> peer = peer_images ? std::optional<double>(*peer_images * flops / 1e9) : std::nullopt;
    table.rows.push_back({r.row.name, fixed(r.forward_flops_per_image / 1e6, 1), fixed(ours, 1),
                          percent(ours, best_gemm), optional_text(peer, 1),
                          peer ? percent(*peer, best_gemm) : std::string("-")});
  }
  if (table.rows.empty()) return "";
  return "- The training steps as FLOP rates (3x the forward's FLOPs per image, the direct algorithm's count, "
         "along the main path: GoogLeNet's auxiliary heads are not counted). A "
         "step at ratio r to the peer runs at r x the peer's GFLOP/s; where that is near or above our fastest "
         "GEMM, the ratio needs a faster GEMM, not only less time around it (im2col, pooling, element-wise "
         "kernels, stores):\n\n" + render_markdown(table);
}

// This run's fastest GEMM row, if any ran.
const Result* fastest_gemm(const std::vector<Result>& results) {
  const Result* best = nullptr;
  for (const Result& r : results) {
    if (r.row.group == "gemm" && r.error.empty() && (!best || r.our_rate() > best->our_rate())) best = &r;
  }
  return best;
}

// The volumetric and recurrent rows' bounds, from this run: what a stride-1
// data gradient computes beyond the direct count, what an LSTM step's launches
// cost, batch norm against the copy rows.
std::string volumetric_and_recurrent_text(const std::vector<Result>& results) {
  std::string out;
  Table table;
  table.text_columns = {0};
  table.headers = {"row", "GFLOP/s (direct count)", "multiply-adds done / direct", "GFLOP/s done"};
  for (const VolumeLayer& layer : volume_layers()) {
    const std::string name = "conv3d bwd-data " + layer.model + "." + layer.layer + " @" +
                             std::to_string(layer.input_size);
    const std::optional<double> rate = rate_of(results, name);
    if (!rate) continue;
    // A convolution of dy padded by K - 1 - pad: an output per input voxel.
    double done = 1;
    for (size_t axis = 2; axis < 5; ++axis) done *= double(layer.input[axis]) / double(layer.output()[axis]);
    table.rows.push_back({name, rate_text(*rate), fixed(done, 2), rate_text(*rate * done)});
  }
  if (!table.rows.empty()) {
    out += "- conv3d's data gradient at stride 1 runs as a convolution of dy with the flipped kernel, padded by "
           "K - 1 - pad: it computes a value for every input voxel, so DeepMedic's unpadded layers multiply "
           "more than the direct count (the padding's zeros):\n\n" + render_markdown(table) + "\n";
  }
  const Result* batch1 = find_result(results, "lstm fwd+bwd batch 1");
  const Result* batch64 = find_result(results, "lstm fwd+bwd");
  if (batch1 && batch64) {
    const double one = batch1->ours.primary().median, full = batch64->ours.primary().median;
    const int launches = 4 * 32;  // per step: the product and the cell forward, the cell and the carry backward
    out += "- An LSTM step is four launches (forward: the recurrent product and the cell; backward: the cell's "
           "gradients and the carry product). At batch 1, with almost no arithmetic, 32 steps take " +
           fixed(one, 1) + " ms: about " + fixed(1000.0 * one / launches, 0) + " us per launch. At batch 64 that "
           "is " + percent(one, full) + " of the row's " + fixed(full, 1) + " ms; the rest is the per-step "
           "products (k = 128 and 512, too little work per block of C to reach the large GEMMs' rate) and the "
           "big GEMMs over all steps.\n";
  }
  const auto copy = rate_of(results, "copy storage->storage"), texel = rate_of(results, "copy texel->storage");
  double lowest = 0, highest = 0;
  for (const Result& r : results) {
    if (r.row.group != "batch norm" || !r.error.empty()) continue;
    lowest = lowest == 0 ? r.our_rate() : std::min(lowest, r.our_rate());
    highest = std::max(highest, r.our_rate());
  }
  if (copy && texel && highest > 0) {
    out += "- Batch norm forward+backward moves " + fixed(lowest, 2) + "-" + fixed(highest, 2) +
           " GB/s of its least traffic (read x, write y; read dy and x, write dx) against " + fixed(*copy, 2) +
           " GB/s for a storage-to-storage copy and " + fixed(*texel, 2) + " GB/s texel-to-storage: the "
           "statistics and the backward sums read x (and dy) again, in one workgroup per channel.\n";
  }
  return out;
}

// On a CPU driver: how far the driver's code is from the host's vector units, from this run's rows.
std::string cpu_ceiling_section(const std::vector<Result>& results) {
  const auto shader = rate_of(results, "fma peak"), host256 = rate_of(results, "host fma 256-bit");
  if (!shader || !host256) return "";
  const auto host512 = rate_of(results, "host fma 512-bit");
  std::string out = "\n## What bounds a CPU driver\n\n";
  out += "- The FMA-bound shader (`fma peak`) reaches " + rate_text(*shader) + " GFLOP/s, " +
         percent(*shader, *host256) + " of the host's own 256-bit FMA peak (" + rate_text(*host256) +
         " GFLOP/s, C++ intrinsics on every core), the vector width this driver compiles shaders to.";
  if (host512) {
    out += " The host's 512-bit peak, " + rate_text(*host512) + " GFLOP/s, is open to the peer's oneDNN and "
           "OpenBLAS but not to the driver: against it our shader ceiling is " + percent(*shader, *host512) + ".";
  }
  out += "\n";
  if (const Result* best = fastest_gemm(results); best && best->our_rate() > 0) {
    const double best_gemm = best->our_rate();
    out += "- Our fastest GEMM row (" + best->row.name + ", " + rate_text(best_gemm) + " GFLOP/s) runs at " +
           percent(best_gemm, *shader) + " of the shader ceiling. Each invocation of shaders/gemm_blocked.comp "
           "reads A and B through texel gathers (the only vector loads this driver has for per-invocation "
           "addresses); larger register blocks make fewer gathers per multiply-add but spill (block-size "
           "measurements: core/ops/gemm.cpp, plan_blocked).\n";
    out += step_flops_text(results, best_gemm);
  }
  return out + volumetric_and_recurrent_text(results);
}

// "gemm_blocked 55%, conv2d_im2col 30%, other 15%": the largest shares, then the rest together.
std::string shares_text(const std::vector<std::pair<std::string, double>>& shares) {
  constexpr size_t kShown = 4;
  std::string out;
  double rest = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (i >= kShown) {
      rest += shares[i].second;
      continue;
    }
    out += (out.empty() ? "" : ", ") + shares[i].first + " " + fixed(100.0 * shares[i].second, 0) + "%";
  }
  if (rest > 0) out += ", other " + fixed(100.0 * rest, 0) + "%";
  return out;
}

// The profiler's split of the training steps and of the slow convolution rows, from this run.
std::string kernel_share_section(const std::vector<Result>& results) {
  const Result* best = fastest_gemm(results);
  const double best_gemm = best ? best->our_rate() : 0;
  Table table;
  table.text_columns = {0, 3};
  table.headers = {"row", "ours", "unit", "device time by kernel"};
  for (const Result& r : results) {
    if (r.kernel_shares.empty()) continue;
    const bool convolution = r.row.group == "conv2d" || r.row.group == "conv3d";
    const bool slow_conv = convolution && (best_gemm <= 0 || r.our_rate() < best_gemm / 2);
    const bool always = r.row.group == "train step" || r.row.group == "lstm" || r.row.group == "batch norm";
    if (!always && !slow_conv) continue;
    table.rows.push_back({r.row.name, rate_text(r.our_rate()), unit_name(r.row.unit), shares_text(r.kernel_shares)});
  }
  if (table.rows.empty()) return "";
  return "\n## Where the time goes\n\nOne more repetition of each training step, LSTM and batch norm row, and "
         "of each convolution row under half our fastest GEMM row's rate, with a device timestamp after every command (the profiler of "
         "MEDREPRO_PROFILE): each kernel's share of that repetition's device time. gemm_blocked* is the GEMM; "
         "conv2d_im2col/im2row/col2im and conv3d_unfold/vol2col/col2vol move convolution columns; "
         "conv3d_weight_layout reorders a 3-D kernel for the GEMM; gemm_pack copies operands into aligned rows; "
         "gemm_reduce adds partial sums over batch slices.\n\n" +
         render_markdown(table);
}

std::string verdict_text(const std::optional<bool>& met) { return met ? (*met ? "met" : "not met") : "not judged"; }

std::string markdown(const RunDescription& d, const std::vector<Result>& results) {
  std::string out = "# medrepro performance: ours against PyTorch and the device's peak\n\n";
  out += "Generated by `medrepro_benchmark`; nothing in this file is typed by hand.\n\n";
  out += "- Command: `" + d.run.command + "`\n";
  out += "- Commit: " + d.run.git_commit + "\n";
  out += "- Date (UTC): " + d.run.started_utc + ", " + fixed(d.seconds, 0) + " s\n";
  out += "- Device: " + d.run.device_name + " (" + d.run.device_vendor + ", " + d.run.device_type + "), driver " +
         d.run.device_driver + ", Vulkan " + d.run.vulkan_version + "\n";
  out += "- CPU: " + d.cpu_model + ", " + std::to_string(d.cores) + " cores; load average before " + d.load_before +
         ", after " + d.load_after + "\n";
  out += "- Device timestamps: " +
         (d.timestamp_period_ns > 0 ? "yes, period " + fixed(d.timestamp_period_ns, 3) + " ns"
                                    : std::string("not supported; kernel rows use wall time")) + "\n";
  if (d.probe) {
    out += "- Peer: PyTorch " + d.probe->torch_version + " (Python " + d.probe->python_version + ", " +
           d.probe->python + "; oneDNN " + (d.probe->onednn ? "yes" : "no") + ", BLAS " +
           (d.probe->blas.empty() ? std::string("unknown") : d.probe->blas) + ")";
    for (const PeerRun& peer : d.peers) {
      out += "; " + peer.config.label + ": " + (peer.failure.empty() ? "`" + peer.settings + "`" : peer.failure);
    }
    out += "\n";
  } else {
    out += "- Peer: none (" + d.peer_absent + ")\n";
  }
  out += "- Inputs: no dataset is read; models are built with seed " + std::to_string(kModelSeed) +
         " (the peer's training steps: torch.manual_seed with the same seed), images are constant 0.5 and labels "
         "cycle over " + std::to_string(kClasses) + " classes\n";
  if (d.quick) out += "- **A --quick run**: few samples and a small set of rows; the numbers are noisy.\n";
  if (!d.rows_filter.empty()) out += "- Rows filtered by `--rows " + d.rows_filter + "`\n";

  out += "\n## Results\n\n" + render_markdown(make_table(results, d.peers));
  out += "\nPlots: [GFLOP/s per row](throughput_gflops.svg), [img/s per row](throughput_images.svg); all numbers "
         "in [benchmark.csv](benchmark.csv).\n";

  out += "\n## Targets\n\nTargets for this device: " + d.target_set + ".\n\n";
  if (!d.verdicts.empty()) {
    out += "| target | measured | verdict |\n|---|---|---|\n";
    for (const TargetVerdict& v : d.verdicts) out += "| " + v.target + " | " + v.measured + " | " + verdict_text(v.met) + " |\n";
  }

  out += cpu_ceiling_section(results);
  out += kernel_share_section(results);

  out += "\n## Notes\n\n";
  out += "- Each row is the median over its samples after a warm-up (which builds the pipelines); a sample repeats "
         "short work until it lasts about 40 ms (10 ms with --quick) and waits for the device once. Rows stop sampling at their time "
         "budget (at least 3 samples; 2 with --quick). spread = (max - min) / median of the time the rate uses.\n";
  out += "- Kernel rows take their rate from device ms (timestamp queries written before and after the recorded "
         "work), where the device has timestamps; wall ms is host time around recording and the final wait. "
         "Training-step rows use wall ms: a step includes the host's recording, and training waits for it.\n";
  out += "- CPU ms is the process's CPU time per repetition (all driver threads); on a CPU driver it shows work "
         "that wall time hides behind waiting for a core.\n";
  out += "- FLOPs: GEMM 2 m n k; conv2d 2 N O OH OW C KH KW and conv3d 2 N O OD OH OW C KD KH KW for each pass; "
         "LSTM the GEMMs' multiply-adds, forward once and backward twice. Rates are per second of the median. "
         "These are the direct algorithm's FLOPs: an implementation that needs fewer (oneDNN's Winograd "
         "convolutions) can show more GFLOP/s than the machine's peak.\n";
  out += "- Training steps: forward (GoogLeNet with both auxiliary heads, loss weight 0.3), cross-entropy, "
         "backward, SGD with momentum 0.9 and weight decay 5e-4 (biases: twice the rate, no decay), five classes, "
         "batch already on the device. The peer's models are papers/khan_yong_anatomy/models.cpp in torch.nn "
         "(tests/bench/peer_pytorch.py).\n";
  out += "- conv2d backward rows time the gradient of one operand (data, or weight), with the forward untimed; "
         "the peer calls aten::convolution_backward with the same output mask.\n";
  out += std::string("- ") + kPeerEnvironmentNote + " Ours and the peer run one after the other on the same "
         "machine, never at the same time. Rows without a peer counterpart (FMA peak, texel copies) show -.\n";
  if (d.probe && d.probe->reference_blas) {
    out += "- The peer's torch is linked to netlib's reference BLAS (" + d.probe->blas +
           "): its GEMM rows and linear layers run unoptimised and single-threaded, while its convolutions run on "
           "oneDNN. An optimised BLAS (OpenBLAS) would make the GEMM rows and the training steps' fully connected "
           "layers faster.\n";
  }
  for (const Result& r : results) {
    if (!r.error.empty()) out += "- We could not run " + r.row.name + ": " + r.error + "\n";
    if (!r.note.empty()) out += "- " + r.row.name + ": " + r.note + "\n";
  }
  for (const PeerRun& peer : d.peers) {
    for (const auto& [name, error] : peer.errors) out += "- " + peer.config.label + " could not run " + name + ": " + error + "\n";
  }
  return out;
}

}  // namespace

std::string format_table(const std::vector<Result>& results, const std::vector<PeerRun>& peers) {
  return render_text(make_table(results, peers));
}

std::vector<std::string> write_report(const std::string& folder, const RunDescription& description,
                                      const std::vector<Result>& results) {
  std::filesystem::create_directories(folder);
  const std::string md = folder + "/report.md", table = folder + "/benchmark.csv";
  const std::string gflops = folder + "/throughput_gflops.svg", images = folder + "/throughput_images.svg";
  report::write_file_atomically(md, markdown(description, results));
  report::write_file_atomically(table, csv(results, description.peers));
  report::write_svg(gflops, throughput_plot(results, description.peers, Unit::GflopPerSecond,
                                            "GFLOP/s per row: ours against the peer"));
  report::write_svg(images, throughput_plot(results, description.peers, Unit::ImagesPerSecond,
                                            "Training steps, images/s per row: ours against the peer"));
  return {md, table, gflops, images};
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return "unknown (no model name in /proc/cpuinfo)";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  return one + " " + five + " " + fifteen;
}

}  // namespace medrepro::bench
