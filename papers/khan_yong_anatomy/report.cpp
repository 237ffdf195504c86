#include "papers/khan_yong_anatomy/report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "core/autograd.h"
#include "core/nn/layers.h"
#include "core/tensor.h"
#include "papers/common/claims.h"
#include "papers/common/comparison_table.h"
#include "papers/common/divergence.h"
#include "papers/common/files.h"
#include "papers/common/image_grid.h"
#include "papers/common/model_summary.h"
#include "papers/common/report_text.h"
#include "papers/common/run_header.h"
#include "papers/common/stats.h"
#include "papers/common/svg_plot.h"
#include "papers/khan_yong_anatomy/claims.h"

namespace khan_yong {
namespace fs = std::filesystem;
namespace report = medrepro::report;
using report::fixed;
using report::Json;
using report::Summary;
using report::summarize;

namespace {

// Tolerances fixed before any run: a reproduced mean within these of the
// paper's value "agrees".
constexpr double kAccuracyTolerance = 5.0;     // percentage points
constexpr double kValidationLossTolerance = 0.25;

// The runs of one model at one pool size under one reading, by seed; diverged
// ones only if asked.
std::vector<const Run*> runs_of(const ReportInputs& in, const std::string& model, size_t pool,
                                bool with_diverged = false, Reading reading = Reading::Digits) {
  std::vector<const Run*> out;
  for (const Run& r : in.runs) {
    const bool wanted = with_diverged || !r.result.diverged_at_step;
    if (r.model == model && r.pool_size == pool && r.reading == reading && wanted) out.push_back(&r);
  }
  std::sort(out.begin(), out.end(), [](const Run* a, const Run* b) { return a->seed < b->seed; });
  return out;
}

size_t diverged_count(const ReportInputs& in, const std::string& model, size_t pool) {
  return runs_of(in, model, pool, true).size() - runs_of(in, model, pool).size();
}

// "lenet_seed1.csv" under the primary reading, "lenet_unit_he_seed1.csv" under the other.
std::string prediction_file(const Run& run) {
  std::string name = run.model;
  if (run.reading != Reading::Digits) name.append("_").append(reading_name(run.reading));
  return name.append("_seed").append(std::to_string(run.seed)).append(".csv");
}

RunsByModel trained_runs(const ReportInputs& in, size_t pool, Reading reading) {
  RunsByModel out;
  for (const std::string& model : in.models) out[model] = runs_of(in, model, pool, false, reading);
  return out;
}

// A mean ± SD over the completed runs, saying how many diverged (they have no test result).
std::string summary_cell(const Summary& s, int decimals, size_t diverged) {
  return report::format_over_runs(s, decimals, diverged);
}

std::vector<size_t> pool_sizes(const ReportInputs& in) {
  std::vector<size_t> pools;
  for (const Run& r : in.runs) {
    if (r.reading == Reading::Digits) pools.push_back(r.pool_size);
  }
  std::sort(pools.begin(), pools.end());
  pools.erase(std::unique(pools.begin(), pools.end()), pools.end());
  return pools;
}

template <class F>
Summary over(const std::vector<const Run*>& runs, F value) {
  std::vector<double> values;
  for (const Run* r : runs) values.push_back(value(*r));
  return summarize(values);
}

// Mean over seeds of a per-epoch series.
template <class F>
std::vector<double> mean_curve(const std::vector<const Run*>& runs, F value) {
  std::vector<double> curve;
  if (runs.empty()) return curve;
  const size_t epochs = runs.front()->result.epochs.size();
  for (size_t e = 0; e < epochs; ++e) {
    double sum = 0;
    for (const Run* r : runs) sum += value(r->result.epochs[e]);
    curve.push_back(sum / double(runs.size()));
  }
  return curve;
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * double(i + j) + 1;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ra = ranks(a), rb = ranks(b);
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / double(ra.size());
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / double(rb.size());
  double num = 0, da = 0, db = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) * (ra[i] - ma);
    db += (rb[i] - mb) * (rb[i] - mb);
  }
  return da > 0 && db > 0 ? num / std::sqrt(da * db) : 0.0;
}

report::Tiles first_conv_filters(SequentialClassifier& network) {
  report::Tiles tiles;
  for (medrepro::nn::Parameter* p : network.parameters()) {
    if (p->value.rank() != 4) continue;
    const Shape& w = p->value.shape();  // [O, 1, k, k]
    tiles.height = static_cast<int>(w[2]);
    tiles.width = static_cast<int>(w[3]);
    const std::vector<float> values = p->value.to_host();
    const size_t per = size_t(w[1] * w[2] * w[3]);
    for (int64_t o = 0; o < w[0]; ++o) {
      tiles.tiles.emplace_back(values.begin() + long(size_t(o) * per), values.begin() + long(size_t(o) * per + size_t(w[2] * w[3])));
    }
    break;
  }
  return tiles;
}

}  // namespace

void write_model_figures(const fs::path& out, const std::string& model, SequentialClassifier& network,
                         const medrepro::datasets::ImageSet& set, const std::vector<size_t>& test,
                         const medrepro::datasets::BatchOptions& input) {
  fs::create_directories(out / "figures");
  report::write_tile_grid_png((out / "figures" / (model + "_conv1_filters.png")).string(),
                                        first_conv_filters(network), 16, 4);
  // Feature maps after the first convolution and its ReLU, one test image per class.
  medrepro::NoGradGuard no_grad;
  network.eval();
  report::Tiles maps;
  const size_t shown = 16;
  for (size_t c = 0; c < set.class_names.size(); ++c) {
    auto it = std::find_if(test.begin(), test.end(), [&](size_t i) { return size_t(set.labels[i]) == c; });
    if (it == test.end()) continue;
    std::vector<float> image, label;
    const size_t item = *it;
    medrepro::datasets::make_batch(set, std::span<const size_t>(&item, 1), input, image, label);
    Tensor h = Tensor::from_host({1, 1, input.height, input.width}, image);
    h = network.body().layer(0).forward(h);
    if (network.body().size() > 1) h = network.body().layer(1).forward(h);
    const Shape s = h.shape();
    const std::vector<float> values = h.to_host();
    maps.height = static_cast<int>(s[2]);
    maps.width = static_cast<int>(s[3]);
    const size_t plane = size_t(s[2] * s[3]);
    for (size_t m = 0; m < std::min<size_t>(shown, size_t(s[1])); ++m) {
      maps.tiles.emplace_back(values.begin() + long(m * plane), values.begin() + long((m + 1) * plane));
    }
  }
  network.train();
  if (!maps.tiles.empty()) {
    report::write_tile_grid_png((out / "figures" / (model + "_conv1_feature_maps.png")).string(), maps,
                                          int(shown), std::max(1, 48 / std::max(1, maps.height)));
  }
}

// Table II's runs under both readings of the unstated choices, and whether each
// claim's verdict at Table II's size changes with the reading.
std::string sensitivity_section(const ReportInputs& in, size_t largest) {
  const std::vector<Reading> readings = {Reading::Digits, Reading::UnitHe};
  std::ostringstream md;
  md << "\n## Sensitivity to the unstated choices\n\n"
     << "The paper states neither input scaling nor weight initialisation. Table II's runs were repeated under a "
        "second reading; everything else (data, seeds, SGD, epochs, batch sizes) is the same.\n\n";
  for (const Reading reading : readings) {
    md << "- **" << reading_name(reading) << "**" << (reading == Reading::Digits ? " (primary: the tables above)" : "")
       << ": " << describe(reading) << ".\n";
  }
  md << "\n| Model | Test acc. (%), " << reading_name(readings[0]) << " | Test acc. (%), " << reading_name(readings[1])
     << " | Val. loss, " << reading_name(readings[0]) << " | Val. loss, " << reading_name(readings[1])
     << " |\n|---|---|---|---|---|\n";
  for (const std::string& model : in.models) {
    md << "| " << display_name(model);
    for (const bool accuracy : {true, false}) {
      for (const Reading reading : readings) {
        const auto runs = runs_of(in, model, largest, false, reading);
        const size_t diverged = runs_of(in, model, largest, true, reading).size() - runs.size();
        const Summary s = over(runs, [&](const Run& r) {
          return accuracy ? r.result.test.accuracy : r.result.epochs.back().val_loss;
        });
        md << " | " << summary_cell(s, accuracy ? 1 : 3, diverged);
      }
    }
    md << " |\n";
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> verdicts;  // claim, verdict per reading
  std::vector<std::string> best, order;
  for (const Reading reading : readings) {
    const RunsByModel trained = trained_runs(in, largest, reading);
    best.push_back(all_above_zero(proposed_best(trained)));
    order.push_back(all_above_zero(paper_ranking(trained)));
  }
  verdicts.push_back({"(1) proposed best", best});
  verdicts.push_back({"(2) proposed > AlexNet > LeNet > GoogLeNet", order});
  for (const std::string& model : in.models) {
    std::vector<std::string> overfits;
    for (const Reading reading : readings) {
      const OverfitCount count = count_overfitting(runs_of(in, model, largest, false, reading));
      overfits.push_back(verdict_with_count(count));
    }
    verdicts.push_back({"(3) " + display_name(model), overfits});
  }
  md << "\n| Claim at Table II's size | " << reading_name(readings[0]) << " | " << reading_name(readings[1])
     << " | depends on the reading |\n|---|---|---|---|\n";
  for (const auto& [claim, per_reading] : verdicts) {
    // Claim 3's cells carry seed counts; the verdict is the text before them.
    const auto head = [](const std::string& v) { return v.substr(0, v.find(" (")); };
    const auto definite = [&](const std::string& v) { return head(v) == "holds" || head(v) == "does not hold" ||
                                                              head(v) == "overfits" || head(v) == "does not overfit"; };
    const std::string depends = !definite(per_reading[0]) || !definite(per_reading[1]) ? "cannot tell"
                                : head(per_reading[0]) == head(per_reading[1])         ? "no"
                                                                                        : "yes";
    md << "| " << claim << " | " << per_reading[0] << " | " << per_reading[1] << " | " << depends << " |\n";
  }
  md << "\n\"Cannot tell\": a reading left the claim not resolved (an interval straddles zero) or not judged "
        "(fewer than 2 seeds trained for a model it needs). Claim (4) needs Figure 13's sizes, which run under the "
        "primary reading only.\n";
  return md.str();
}

void write_report(const fs::path& out, const ReportInputs& in, const Json& reported) {
  const std::vector<size_t> pools = pool_sizes(in);
  const size_t largest = pools.back();
  const auto& set = in.set;
  const Json& paper = reported["table_ii"];
  // The report is written afresh: nothing of an earlier one stays beside it.
  for (const char* folder : {"figures", "predictions"}) {
    fs::remove_all(out / folder);
    fs::create_directories(out / folder);
  }
  // Figures 7-11 come from the lowest seed whose Table II run trained.
  for (const std::string& model : in.models) {
    const auto trained = runs_of(in, model, largest);
    if (trained.empty()) continue;
    const Run& r = *trained.front();
    const fs::path figures = out / "runs" / run_id(r.model, r.reading, r.seed, r.pool_size) / "figures";
    for (const auto& file : fs::directory_iterator(figures)) fs::copy_file(file.path(), out / "figures" / file.path().filename());
  }

  double training_seconds = 0;
  for (const Run& r : in.runs) training_seconds += r.result.train_seconds;
  std::ostringstream md;
  md << "# Khan & Yong (2017), reproduced: anatomy classification on MedNIST\n\n"
     << "Generated by `papers/khan_yong_anatomy`; nothing below was typed by hand. Every number comes from the "
        "run described here and is stored in `run.json` and `predictions/`.\n\n";
  report::RunHeader header;
  header.run = in.run_info;
  std::string classes;
  for (size_t c = 0; c < set.class_names.size(); ++c) {
    classes += (c ? ", " : "") + set.class_names[c] + " (" + std::to_string(set.class_counts[c]) + ")";
  }
  header.rows = {
      {"profile", in.profile.name + ": " + in.profile.why},
      {"seeds", std::to_string(in.profile.seeds) + " (each seed: weight initialisation, mini-batch order, dropout)"},
      {"data", "MedNIST (CC BY-SA 4.0), `" + set.source.filename().string() + "`, SHA-256 `" + set.sha256 + "`"},
      {"classes", classes},
      {"duplicates", std::to_string(in.test_split.dropped_duplicates) +
                         " byte-identical copies dropped; no image has a copy on the other side of any split"},
      {"test set", std::to_string(in.test_split.test.size()) + " images (" + std::to_string(in.profile.test_per_class) +
                       " per class), the same for every run"},
      {"Table II training pool", std::to_string(largest) + " images, of which 20% per class for validation"},
      {"training", "SGD, lr 0.01 falling tenfold after 33% and 66% of the steps (DIGITS' default step-down policy), "
                       "momentum 0.9, weight decay 0.0005 (Caffe convention), batch " +
                       describe_batch_sizes(in.profile) + ", " + std::to_string(in.profile.epochs) +
                       " epochs (at least " + std::to_string(in.profile.min_steps) + " SGD steps for small sets)"},
  };
  header.wall_seconds = in.wall_seconds;
  header.wall_detail = fixed(training_seconds, 0) + " s of training in its runs";
  header.provenance = in.provenance;
  md << report::render_run_header(header);

  // Table II.
  using Kind = report::Measure::Kind;
  report::ComparisonTable table_ii;
  table_ii.measures = {
      {"Runtime (s)", "runtime_s", 0, Kind::ratio, 0, false},
      {"Val. loss", "val_loss", 3, Kind::tolerance, kValidationLossTolerance, false},
      {"Val. acc. (%)", "val_acc", 1, Kind::tolerance, kAccuracyTolerance, false},
      {"Test acc. (%)", "test_acc", 1, Kind::tolerance, kAccuracyTolerance, false},
  };
  double largest_sd = 0;
  std::string least_stable;
  for (const std::string& model : in.models) {
    const auto runs = runs_of(in, model, largest);
    const size_t diverged = diverged_count(in, model, largest);
    const Json& p = paper[model];
    const Summary test_accuracy = over(runs, [](const Run& r) { return r.result.test.accuracy; });
    if (test_accuracy.n > 1 && test_accuracy.sd >= largest_sd) largest_sd = test_accuracy.sd, least_stable = model;
    table_ii.rows.push_back(
        {display_name(model),
         model,
         {{p["runtime_seconds"].number(), over(runs, [](const Run& r) { return r.result.train_seconds; }), diverged},
          {p["validation_loss"].number(), over(runs, [](const Run& r) { return r.result.epochs.back().val_loss; }),
           diverged},
          {p["validation_accuracy"].number(),
           over(runs, [](const Run& r) { return r.result.epochs.back().val_accuracy; }), diverged},
          {p["test_accuracy"].number(), test_accuracy, diverged}}});
  }
  md << "## Table II\n\nReported | reproduced (mean ± SD over " << in.profile.seeds << " seeds) | verdict. "
     << report::describe_tolerances(table_ii) << " The paper used an " << reported["hardware"].string()
     << " on its full data; this run used " << in.run_info.device_name << " on the profile above.\n\n"
     << report::render_markdown(table_ii);
  if (!least_stable.empty()) {
    md << "\nThe largest SD of test accuracy over seeds, among runs that trained, is " << fixed(largest_sd, 1)
       << " points (" << display_name(least_stable) << ").\n";
  }
  report::write_file_atomically((out / "table_ii.csv").string(), report::render_csv(table_ii));

  // Claims (1) and (2) at every training-set size, by paired differences over seeds.
  md << "\n## The paper's claims\n\n"
     << "Rankings are judged by the paired difference in test accuracy over seeds (seed k of one model against "
        "seed k of the other: the same split and batch order), with its 95% interval (Student's t over the per-seed "
        "differences). A ranking claim holds when every difference it needs is above zero with 95% confidence, "
        "does not hold when one is below zero with 95% confidence, and is not resolved when an interval straddles "
        "zero. Diverged runs are left out of the pairs. Pool = training + validation images; the largest pool is "
        "Table II's. Cells: test accuracy, mean ± SD over seeds.\n\n"
     << "| Pool | ";
  for (const std::string& model : in.models) md << display_name(model) << " | ";
  md << "(1) proposed best | (2) proposed > AlexNet > LeNet > GoogLeNet |\n|---|";
  for (size_t i = 0; i < in.models.size() + 2; ++i) md << "---|";
  md << "\n";
  std::map<std::string, int> verdict_counts[2];
  std::map<std::string, std::vector<double>> curve_means, curve_sds;
  std::vector<double> curve_x;
  for (size_t pool : pools) {
    md << "| " << pool << " | ";
    for (const std::string& model : in.models) {
      const Summary s = over(runs_of(in, model, pool), [](const Run& r) { return r.result.test.accuracy; });
      curve_means[model].push_back(s.n > 0 ? s.mean : std::numeric_limits<double>::quiet_NaN());
      curve_sds[model].push_back(s.sd);
      md << summary_cell(s, 1, diverged_count(in, model, pool)) << " | ";
    }
    curve_x.push_back(double(runs_of(in, in.models.front(), pool, true).front()->train_size));
    const RunsByModel trained = trained_runs(in, pool, Reading::Digits);
    const std::string best = all_above_zero(proposed_best(trained)), order = all_above_zero(paper_ranking(trained));
    ++verdict_counts[0][best];
    ++verdict_counts[1][order];
    md << best << " | " << order << " |\n";
  }
  const RunsByModel table_runs = trained_runs(in, largest, Reading::Digits);
  std::vector<report::Claim> claims;
  const std::vector<std::pair<std::string, std::vector<PairedDifference>>> rankings = {
      {"(1) The proposed CNN has the best test accuracy", proposed_best(table_runs)},
      {"(2) proposed > AlexNet > LeNet > GoogLeNet", paper_ranking(table_runs)}};
  for (size_t c = 0; c < rankings.size(); ++c) {
    std::string at_sizes;
    for (const auto& [verdict, count] : verdict_counts[c]) {
      at_sizes += (at_sizes.empty() ? "" : ", ") + verdict + " at " + std::to_string(count);
    }
    std::string evidence;
    for (const PairedDifference& d : rankings[c].second) evidence += (evidence.empty() ? "" : "; ") + describe(d);
    claims.push_back({rankings[c].first, "",
                      "at Table II's size: " + all_above_zero(rankings[c].second) + "; over Figure 13's " +
                          std::to_string(pools.size()) + " sizes: " + at_sizes,
                      evidence, {}});
  }

  // Claim 3: each seed's own curves at Table II's size.
  report::Claim overfitting{"(3) The milestone models overfit",
                            "per seed: validation loss at the last epoch above " + report::plain(kOverfitRise) +
                                "× its minimum while the training loss kept falling after that minimum; a model "
                                "overfits when most of its trained seeds do",
                            "", "", {}};
  for (const std::string& model : in.models) {
    const OverfitCount count = count_overfitting(runs_of(in, model, largest));
    overfitting.parts.push_back({display_name(model) + (model == "proposed" ? " (the paper says it does not)" : ""),
                                 "",
                                 verdict_with_count(count),
                                 count.evidence, {}});
  }
  claims.push_back(overfitting);
  // Claim 4.
  report::Claim growth{"(4) Accuracy grows with the training-set size",
                       "Spearman correlation of mean test accuracy with size; holds when ≥ 0.9 and the largest size "
                       "beats the smallest",
                       "", "", {}};
  for (const std::string& model : in.models) {
    const auto& y = curve_means[model];
    if (std::any_of(y.begin(), y.end(), [](double v) { return std::isnan(v); })) {
      growth.parts.push_back({display_name(model), "", "not judged", "every seed diverged at some size", {}});
      continue;
    }
    const double rho = spearman(curve_x, y);
    growth.parts.push_back({display_name(model), "", rho >= 0.9 && y.back() > y.front() ? "holds" : "does not hold",
                            "ρ = " + fixed(rho, 2) + ", " + fixed(y.front(), 1) + "% → " + fixed(y.back(), 1) + "%",
                            {}});
  }
  claims.push_back(growth);
  md << "\n" << report::render_claims(claims);
  md << sensitivity_section(in, largest);

  // Runs whose training loss became NaN or Inf: a result of the protocol (SGD at the
  // paper's learning rate), so they are listed rather than hidden or re-run.
  std::vector<const Run*> diverged;
  for (const Run& r : in.runs) {
    if (r.result.diverged_at_step) diverged.push_back(&r);
  }
  md << "\n## Diverged runs\n\n";
  if (diverged.empty()) {
    md << "None: every run's training loss stayed finite.\n";
  } else {
    md << "These runs stopped when their training or validation loss became NaN or Inf, or when an epoch's mean "
          "training loss exceeded " << medrepro::papers::kBlowUpOverChance << " times that of a uniform guess while "
          "staying finite; they have no test result and are left out of the means above (each cell says how many "
          "seeds it covers).\n\n"
          "| Model | Reading | Seed | Pool | Step | Epochs completed | Why |\n|---|---|---|---|---|---|---|\n";
    for (const Run* r : diverged) {
      md << "| " << display_name(r->model) << " | " << reading_name(r->reading) << " | " << r->seed << " | "
         << r->pool_size << " | "
         << *r->result.diverged_at_step << " | " << r->result.epochs.size() << " of " << r->epochs << " | "
         << r->result.divergence << " |\n";
    }
  }

  // Model summaries.
  md << "\n## The models\n\nOutput shapes per image, parameters, and forward FLOPs of convolutions and fully "
        "connected layers (2 per multiply-add), at the input size this run used.\n";
  for (const std::string& model : in.models) {
    const int size = input_size_for(in.profile, model);
    auto network = make_model(model, size, static_cast<int>(set.class_names.size()), 1, Reading::Digits);
    const report::ModelSummary summary{display_name(model), std::to_string(size) + "×" + std::to_string(size) + " input",
                                       network->parameter_count(), summarize(*network, size)};
    md << "\n" << report::render_model_summary(summary);
  }

  // Figures.
  md << "\n## Figures\n\n";
  const std::map<std::string, std::string> figure_number = {
      {"lenet", "4"}, {"alexnet", "5"}, {"googlenet", "6"}, {"proposed", "12"}};
  for (const std::string& model : in.models) {
    const auto runs = runs_of(in, model, largest);
    if (runs.empty()) {
      md << "- " << display_name(model) << ": no curves, every seed diverged at Table II's size\n";
      continue;
    }
    std::vector<double> epochs;
    for (size_t e = 1; e <= runs.front()->result.epochs.size(); ++e) epochs.push_back(double(e));
    report::Plot losses{.title = "Fig. " + figure_number.at(model) + ": " + display_name(model) + ", mean of " +
                                 std::to_string(runs.size()) + " seeds",
                        .x_label = "epoch",
                        .y_label = "loss"};
    losses.series.push_back({.name = "training loss",
                             .x = epochs,
                             .y = mean_curve(runs, [](const auto& e) { return e.train_loss; })});
    losses.series.push_back({.name = "validation loss",
                             .x = epochs,
                             .y = mean_curve(runs, [](const auto& e) { return e.val_loss; }),
                             .dashed = true});
    const std::string loss_file = "figures/fig" + figure_number.at(model) + "_" + model + "_loss.svg";
    report::write_svg((out / loss_file).string(), losses);
    report::Plot accuracy{.title = "Fig. " + figure_number.at(model) + ": " + display_name(model) +
                                   ", validation accuracy",
                          .x_label = "epoch",
                          .y_label = "validation accuracy (%)",
                          .y_min = 0,
                          .y_max = 100};
    accuracy.series.push_back({.name = "validation accuracy",
                               .x = epochs,
                               .y = mean_curve(runs, [](const auto& e) { return e.val_accuracy; })});
    const std::string accuracy_file = "figures/fig" + figure_number.at(model) + "_" + model + "_accuracy.svg";
    report::write_svg((out / accuracy_file).string(), accuracy);
    md << "- Fig. " << figure_number.at(model) << " (" << display_name(model) << "): [loss](" << loss_file
       << "), [validation accuracy](" << accuracy_file << ")\n";
  }
  report::Plot curve{.title = "Fig. 13: test accuracy against training-set size (mean ± SD over seeds)",
                     .x_label = "training images",
                     .y_label = "test accuracy (%)",
                     .log_x = true,
                     .y_min = 0,
                     .y_max = 100};
  for (const std::string& model : in.models) {
    curve.series.push_back(
        {.name = display_name(model), .x = curve_x, .y = curve_means[model], .error = curve_sds[model]});
  }
  report::write_svg((out / "figures/fig13_learning_curve.svg").string(), curve);
  md << "- Fig. 13: [test accuracy against training-set size](figures/fig13_learning_curve.svg)\n";
  for (const std::string& model : in.models) {
    md << "- Figs. 7–11 (" << display_name(model) << "): [conv1 filters](figures/" << model
       << "_conv1_filters.png), [feature maps after conv1, one test image per class, one row each](figures/"
       << model << "_conv1_feature_maps.png)\n";
  }

  // Predictions, one file per model and seed at Table II's size.
  md << "\nPer-image test predictions (file, true class, predicted class, probabilities) of every Table II run, "
        "under both readings, are in `predictions/` (`MODEL_seedK.csv`, `MODEL_unit_he_seedK.csv`); `table_ii.csv` holds the table; `run.json` holds every run's per-epoch metrics.\n";
  for (const std::string& model : in.models) {
    std::vector<const Run*> both_readings = runs_of(in, model, largest);
    for (const Run* run : runs_of(in, model, largest, false, Reading::UnitHe)) both_readings.push_back(run);
    for (const Run* run : both_readings) {
      std::ostringstream p;
      p << "file,true_class,predicted_class";
      for (const auto& name : set.class_names) p << ",p_" << name;
      p << "\n";
      for (const auto& prediction : run->result.test.predictions) {
        p << set.files[prediction.item] << "," << set.class_names[size_t(prediction.truth)] << ","
          << set.class_names[size_t(prediction.predicted)];
        for (float v : prediction.probabilities) p << "," << v;
        p << "\n";
      }
      report::write_file_atomically(
(out / "predictions" / prediction_file(*run)).string(), p.str());
    }
  }

  // Deviations.
  const std::vector<report::Deviation> deviations = {
      {"Data",
       "The paper's NLM anatomy images (lung, liver, heart, kidney, lumbar spine; CT, MRI, PET, ultrasound, X-ray) "
       "are not public. MedNIST's AbdomenCT, BreastMRI, ChestCT, CXR and Hand stand in: five classes of CT, MRI and "
       "X-ray, with one anatomy (chest) in two modalities. MedNIST is far easier (each class is one modality and one "
       "body part, 64×64 greyscale), so high accuracies are expected and Table II's absolute values are not."},
      {"Training pool and epochs",
       (in.profile.name == "paper"
            ? std::string("As in the paper: 37,198 training images (20% of each class for validation), 30 epochs.")
            : "This profile trains on " + std::to_string(largest) + " images (not 37,198) for " +
                  std::to_string(in.profile.epochs) + " epochs (not 30), to fit the device: " + in.profile.why + ".") +
           " Training sets smaller than " + std::to_string(in.profile.min_steps) +
           " SGD steps' worth get more epochs, so that the smallest sets of Figure 13 are trained at all."},
      {"Input size",
       (in.profile.input_size > 0
            ? "All models see MedNIST's native " + std::to_string(in.profile.input_size) + "×" +
                  std::to_string(in.profile.input_size) + " images instead of their native sizes."
            : std::string("LeNet 28×28, AlexNet and the proposed CNN 227×227, GoogLeNet 224×224, resized bilinearly "
                          "from 64×64.")) +
           " Inputs are greyscale (one channel), where the reference nets take three."},
      {"Validation split",
       "A fixed random 20% of each class's training pool (the paper: a random 20%); the test set is fixed across "
       "seeds; seeds vary initialisation, batch order and dropout."},
      {"Proposed CNN ambiguities",
       "Table I gives no padding; with none, conv3 and conv4 cannot run on small maps, so convolutions 2–4 pad by "
       "half their kernel (2, 1, 1). ReLU follows every convolution (Eq. 2). fc6 is the classifier (the text's "
       "\"fc6 ... 4096 dimensional\" contradicts a five-way output). conv3 has 384 and conv4 256 maps, as Table I "
       "says."},
      {"AlexNet and GoogLeNet",
       "Caffe's reference definitions (bvlc_alexnet, bvlc_googlenet) without AlexNet's two-GPU grouping (groups = 1 "
       "everywhere). GoogLeNet's final 7×7 average pooling is a global average pooling, and its side heads pool with "
       "a 5×5/3 window only where the map is at least 5×5 (smaller maps use the largest window that fits). Test "
       "accuracy is read from the final classifier."},
      {"Initialisation, input scaling and batch size",
       "The paper states none of them. The primary tables follow NVIDIA DIGITS' standard networks, which the "
       "paper's training plots suggest it used (" + describe(Reading::Digits) + "; DIGITS subtracts a per-pixel "
       "mean image by default, this run one mean value); the sensitivity section repeats Table II with " +
           describe(Reading::UnitHe) + ". Batch: " + describe_batch_sizes(in.profile) + "."},
      {"Hardware and runtime",
       "The paper timed a GTX 980M on the full set; runtimes here are this device's training time (validation "
       "excluded) on this profile, so only their ratios are shown."},
      {"Figures 7–11",
       "First-layer filters and feature maps of the first seed's Table II model, as PNG files, not the paper's "
       "visualisation tool's layout."},
  };
  md << "\n## Deviations from the paper\n\n" << report::render_deviations(deviations);

  report::write_file_atomically((out / "report.md").string(), md.str());

  Json run;
  run.set("run", in.run_info.to_json());
  run.set("profile", Json()
                         .set("name", in.profile.name)
                         .set("why", in.profile.why)
                         .set("input_size", in.profile.input_size)
                         .set("epochs", in.profile.epochs)
                         .set("min_steps", in.profile.min_steps)
                         .set("seeds", in.profile.seeds)
                         .set("batch_size", describe_batch_sizes(in.profile)));
  Json data;
  data.set("source", set.source.string()).set("sha256", set.sha256);
  data.set("classes", Json::array_of(set.class_names));
  data.set("class_counts", Json::array_of(std::vector<double>(set.class_counts.begin(), set.class_counts.end())));
  data.set("test_size", uint64_t(in.test_split.test.size()));
  data.set("dropped_duplicates", uint64_t(in.test_split.dropped_duplicates));
  data.set("pool_sizes", Json::array_of(std::vector<double>(pools.begin(), pools.end())));
  run.set("data", data);
  run.set("wall_seconds", in.wall_seconds);
  run.set("made_by", in.provenance);
  Json runs = Json::Array{};
  for (const Run& r : in.runs) runs.push(run_to_json(r, false));
  run.set("runs", runs);
  run.save((out / "run.json").string());
}

}  // namespace khan_yong
