// The report pieces shared by the papers: comparison tables, claims,
// deviations, model summaries, box plots, ROC curves and label overlays.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "papers/common/box_plot.h"
#include "papers/common/claims.h"
#include "papers/common/comparison_table.h"
#include "papers/common/files.h"
#include "papers/common/label_overlay.h"
#include "papers/common/model_summary.h"
#include "papers/common/report_text.h"
#include "papers/common/roc_plot.h"
#include "papers/common/run_header.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#include "stb_image.h"

namespace report = medrepro::report;
namespace fs = std::filesystem;

namespace {

report::Summary values(std::vector<double> v) { return report::summarize(v); }

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Figures the tests draw are kept here, so that a person can look at them.
fs::path samples() {
  const fs::path dir = fs::current_path() / "report_samples";
  fs::create_directories(dir);
  return dir;
}

report::ComparisonTable two_model_table() {
  report::ComparisonTable table;
  table.measures.push_back({"Runtime (s)", "runtime_s", 0, report::Measure::Kind::ratio, 0, false});
  table.measures.push_back({"Test acc. (%)", "test_acc", 1, report::Measure::Kind::tolerance, 5, true});
  report::ComparisonRow lenet{"LeNet", "lenet", {}};
  lenet.comparisons.push_back({1000, values({10, 30}), 0});
  lenet.comparisons.push_back({76.6, values({80.6, 82.6}), 0});  // mean 81.6: exactly 5 points off
  report::ComparisonRow proposed{"Proposed CNN", "proposed", {}};
  proposed.comparisons.push_back({2000, values({40}), 1});
  proposed.comparisons.push_back({81, values({}), 3});
  table.rows = {lenet, proposed};
  return table;
}

}  // namespace

TEST_CASE("Verdicts: a difference of exactly the tolerance agrees, a hair more differs") {
  using report::judge;
  using report::Verdict;
  CHECK(judge(values({81.6}), 76.6, 5) == Verdict::agrees);  // 81.6 - 76.6 is 5.000000000000007 in binary
  CHECK(judge(values({71.6}), 76.6, 5) == Verdict::agrees);
  CHECK(judge(values({81.61}), 76.6, 5) == Verdict::differs);
  CHECK(judge(values({71.59}), 76.6, 5) == Verdict::differs);
  CHECK(judge(values({0.92}), 0.67, 0.25) == Verdict::agrees);
  CHECK(judge(values({0.9201}), 0.67, 0.25) == Verdict::differs);
  CHECK(judge(values({}), 76.6, 5) == Verdict::not_applicable);
  CHECK(judge(values({80}), std::numeric_limits<double>::quiet_NaN(), 5) == Verdict::not_applicable);
  CHECK(report::to_string(Verdict::not_applicable) == "n/a");
}

TEST_CASE("Comparison table: Markdown cells say mean ± SD, CI, ratio, excluded runs and verdict") {
  const std::string md = report::render_markdown(two_model_table());
  CHECK(md.starts_with("| Model | Runtime (s) reported | reproduced | ratio | Test acc. (%) reported | reproduced | "
                       "verdict |\n|---|---|---|---|---|---|---|\n"));
  // 95% CI of 80.6 and 82.6: 81.6 ± t(1 dof) 12.706 * SD 1.414 / sqrt(2).
  CHECK(md.find("| LeNet | 1000 | 20 ± 14 | 0.020 | 76.6 | 81.6 ± 1.4 [95% CI 68.9, 94.3] | agrees |\n") !=
        std::string::npos);
  CHECK(md.find("| Proposed CNN | 2000 | 40 (1 of 2 seeds; 1 diverged) | 0.020 | 81 | all diverged | n/a |\n") !=
        std::string::npos);
  CHECK(report::describe_tolerances(two_model_table()) ==
        "A reproduced mean agrees with the reported value when within a tolerance fixed in code before the run: "
        "Test acc. (%) ±5. Runtime (s): compared as a ratio (reproduced / reported) only.");
}

TEST_CASE("Comparison table: the CSV holds the same data, empty where there is none") {
  const std::string csv = report::render_csv(two_model_table());
  CHECK(csv ==
        "model,reported_runtime_s,runtime_s_mean,runtime_s_sd,runtime_s_n,runtime_s_ci_low,runtime_s_ci_high,"
        "runtime_s_ratio,reported_test_acc,test_acc_mean,test_acc_sd,test_acc_n,test_acc_ci_low,test_acc_ci_high,"
        "test_acc_verdict\n"
        "lenet,1000,20,14.14213562,2,-107.06,147.06,0.02,76.6,81.6,1.414213562,2,68.894,94.306,agrees\n"
        "proposed,2000,40,0,1,40,40,0.02,81,,,0,,,n/a\n");
  report::ComparisonTable ragged = two_model_table();
  ragged.rows[0].comparisons.pop_back();
  CHECK_THROWS_AS(report::render_csv(ragged), medrepro::Error);
}

TEST_CASE("Claims, deviations, run header and model summaries render as Markdown") {
  report::Claim overfit{"(3) The milestone models overfit", "validation loss rises at the end", "", "", {}};
  overfit.parts.push_back({"LeNet", "", "overfits", "minimum 0.314 at epoch 3", {}});
  overfit.parts.push_back({"AlexNet", "", "does not overfit", "", {}});
  const report::Claim best{"(1) The proposed CNN is best", "", "holds at 1 of 7 sizes", "", {}};
  CHECK(report::render_claims({best, overfit}) ==
        "- **(1) The proposed CNN is best**: holds at 1 of 7 sizes\n"
        "- **(3) The milestone models overfit** (validation loss rises at the end):\n"
        "  - LeNet: overfits (minimum 0.314 at epoch 3)\n"
        "  - AlexNet: does not overfit\n");
  CHECK(report::render_deviations({{"Data", "MedNIST stands in."}, {"Epochs", "6, not 30."}}) ==
        "1. **Data.** MedNIST stands in.\n2. **Epochs.** 6, not 30.\n");

  report::RunHeader header;
  header.run.command = "./paper --seeds 3";
  header.run.device_name = "llvmpipe";
  header.rows = {{"seeds", "3"}};
  header.wall_seconds = 12.4;
  header.wall_detail = "10 s of training";
  header.provenance.push(report::Json()
                             .set("git_commit", "abc")
                             .set("device", report::Json().set("name", "H100").set("driver", "550"))
                             .set("host", "node1")
                             .set("runs", 4));
  const std::string md = report::render_run_header(header);
  CHECK(md.starts_with("## The run\n\n| | |\n|---|---|\n| command | `./paper --seeds 3` |\n"));
  CHECK(md.find("| seeds | 3 |\n| wall time | 12 s for this invocation; 10 s of training |\n") != std::string::npos);
  CHECK(md.find("| runs made by | 4 runs: commit abc, H100 (driver 550), host node1 |\n") != std::string::npos);

  report::ModelSummary lenet{"LeNet", "64×64 input", 4250000, {}};
  lenet.layers.push_back({"Conv2d 1->20 5x5/1", {20, 60, 60}, 520, 3.6e6});
  lenet.layers.push_back({"MaxPool 2x2/2", {20, 30, 30}, 0, 0});
  CHECK(report::render_model_summary(lenet) ==
        "### LeNet (64×64 input; 4.25 M parameters in total, 3.60 MFLOP per image)\n\n"
        "| Layer | Output | Parameters | FLOPs |\n|---|---|---|---|\n"
        "| Conv2d 1->20 5x5/1 | 20×60×60 | 520 | 3.60 M |\n| MaxPool 2x2/2 | 20×30×30 | 0 |  |\n");
  CHECK(report::human_count(25100) == "25.1 k");
  CHECK(report::fixed(2.0 / 3.0, 3) == "0.667");
}

TEST_CASE("Box plot: quartiles interpolated, whiskers within 1.5 IQR, the rest outliers") {
  const report::BoxStats s = report::box_stats({7, 1, 100, 3, 2, 5, 4, 8, 6});
  CHECK(s.q1 == 3);
  CHECK(s.median == 5);
  CHECK(s.q3 == 7);
  CHECK(s.whisker_low == 1);
  CHECK(s.whisker_high == 8);  // 100 is beyond 7 + 1.5 * 4
  CHECK(s.outliers == std::vector<double>{100});
  const report::BoxStats even = report::box_stats({4, 1, 3, 2});
  CHECK(even.q1 == doctest::Approx(1.75));
  CHECK(even.median == doctest::Approx(2.5));
  CHECK(even.q3 == doctest::Approx(3.25));
  CHECK(even.outliers.empty());
  CHECK_THROWS_AS(report::box_stats({}), medrepro::Error);

  report::BoxPlot plot{"Dice per case", "case", "Dice", {}, 0, 1};
  const double dice[][5] = {{0.91, 0.88, 0.93, 0.90, 0.42}, {0.76, 0.80, 0.78, 0.82, 0.79},
                            {0.60, 0.65, 0.55, 0.70, 0.62}, {0.95, 0.94, 0.96, 0.93, 0.95}};
  for (int c = 0; c < 4; ++c) {
    plot.groups.push_back({"BraTS_00" + std::to_string(c + 1), std::vector<double>(dice[c], dice[c] + 5), -1});
  }
  const std::string svg = report::render_box_plot_svg(plot);
  CHECK(count(svg, "<rect x=") == 5);      // the frame and one box per case
  CHECK(count(svg, "<circle") == 20);      // every value drawn
  CHECK(count(svg, "fill=\"white\" stroke") == 1);  // 0.42, the one outlier, drawn hollow
  CHECK(svg.find(">BraTS_004</text>") != std::string::npos);
  report::write_box_plot_svg((samples() / "box_plot.svg").string(), plot);
}

TEST_CASE("ROC: AUC counts ordered pairs (ties half), and the SVG has every curve and the diagonal") {
  const report::RocCurve a = report::roc_curve("model A", {0.9, 0.8, 0.7, 0.6, 0.5, 0.4},
                                               {true, true, false, true, false, false});
  CHECK(a.auc == doctest::Approx(8.0 / 9.0));
  CHECK(a.false_positive_rate.front() == 0);
  CHECK(a.true_positive_rate.back() == 1);
  CHECK(a.false_positive_rate.size() == 7);
  const report::RocCurve tie = report::roc_curve("tied", {0.5, 0.5}, {true, false});
  CHECK(tie.auc == doctest::Approx(0.5));
  CHECK(tie.false_positive_rate.size() == 2);  // (0, 0) then (1, 1): the tie moves both at once
  CHECK_THROWS_AS(report::roc_curve("one class", {0.1, 0.2}, {true, true}), medrepro::Error);

  std::vector<double> scores;
  std::vector<bool> truth;
  for (int i = 0; i < 200; ++i) {  // a smooth curve: scores rise with the case's index, positives among the high
    scores.push_back(std::sin(i * 12.9898) * 0.35 + i / 200.0);
    truth.push_back(i % 3 != 0 && i > 60);
  }
  const report::RocCurve b = report::roc_curve("model B", scores, truth);
  const std::string svg = report::render_roc_svg("Test ROC", {a, b});
  CHECK(svg.find("model A (AUC 0.889)") != std::string::npos);
  CHECK(svg.find("model B (AUC " + report::fixed(b.auc, 3) + ")") != std::string::npos);
  CHECK(svg.find(">chance</text>") != std::string::npos);
  CHECK(count(svg, "<polyline") == 3);
  report::write_roc_svg((samples() / "roc.svg").string(), "Test ROC", {a, b});
}

TEST_CASE("Label overlay: label pixels take their colour at alpha, outlines opaque; read back from the PNG") {
  report::OverlayPanel panel{8, 8, {}, std::vector<int>(64, 0)};
  for (int i = 0; i < 64; ++i) panel.image.push_back(float(i));
  for (int y = 2; y < 6; ++y) {
    for (int x = 2; x < 6; ++x) panel.labels[size_t(y * 8 + x)] = 1;
  }
  panel.labels[size_t(7 * 8 + 7)] = 2;
  report::OverlayOptions options;
  options.low_percentile = 0;
  options.high_percentile = 100;
  options.zoom = 1;
  options.alpha = 0.5f;
  auto grey = [](int i) { return std::lround(i / 63.0 * 255.0); };
  auto blend = [&](int i, uint8_t colour) { return std::lround(0.5 * double(grey(i)) + 0.5 * double(colour)); };
  const auto orange = report::label_colour(1), sky_blue = report::label_colour(2);
  CHECK(report::label_colour_name(1) == "orange");
  CHECK(orange == std::array<uint8_t, 3>{230, 159, 0});

  const fs::path path = samples() / "overlay_unit.png";
  report::write_label_overlay_png(path.string(), {panel, panel}, options);
  const std::string png = read(path);
  int width = 0, height = 0, channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), int(png.size()), &width,
                                          &height, &channels, 3);
  REQUIRE(pixels != nullptr);
  CHECK(width == 8 + 4 + 8);
  CHECK(height == 8);
  auto at = [&](int x, int y, size_t c) { return long(pixels[(size_t(y) * size_t(width) + size_t(x)) * 3 + c]); };
  for (size_t c = 0; c < 3; ++c) {
    CHECK(at(0, 0, c) == grey(0));                   // background: the slice, windowed
    CHECK(at(1, 3, c) == grey(25));
    CHECK(at(2, 2, c) == long(orange[c]));            // the label's border: opaque
    CHECK(at(3, 3, c) == blend(27, orange[c]));       // inside: blended at alpha
    CHECK(at(7, 7, c) == long(sky_blue[c]));          // a one-pixel label is all border
    CHECK(at(9, 4, c) == 255);                        // the gap between panels
    CHECK(at(12 + 4, 4, c) == blend(36, orange[c]));  // the second panel
  }
  stbi_image_free(pixels);

  options.outlines = false;
  options.alpha = 1;
  const report::RgbImage flat = report::render_label_overlays({panel}, options);
  CHECK(flat.at(2, 2) == orange);
  CHECK(flat.at(4, 4) == orange);
  panel.labels.pop_back();
  CHECK_THROWS_AS(report::render_label_overlays({panel}, options), medrepro::Error);
}

TEST_CASE("Label overlay sample: a synthetic brain slice, ground truth and prediction, to look at") {
  const int n = 96;
  auto slice = [&]() {
    report::OverlayPanel p{n, n, std::vector<float>(size_t(n * n)), std::vector<int>(size_t(n * n), 0)};
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const double dx = (x - 48) / 40.0, dy = (y - 48) / 44.0, r = std::sqrt(dx * dx + dy * dy);
        double v = r > 1 ? 0 : r > 0.9 ? 900 : 400 + 60 * std::sin(x * 0.7) * std::cos(y * 0.5);
        const double vx = (x - 44) / 6.0, vy = (y - 46) / 12.0;
        if (vx * vx + vy * vy < 1) v = 120;  // a ventricle
        if (x == 20 && y == 20) v = 5000;    // one bright voxel the window ignores
        p.image[size_t(y * n + x)] = float(v);
      }
    }
    return p;
  };
  auto tumour = [&](report::OverlayPanel& p, int cx, int cy) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const double d = std::hypot(x - cx, y - cy);
        int& label = p.labels[size_t(y * n + x)];
        label = d < 5 ? 1 : d < 9 ? 3 : d < 15 ? 2 : 0;  // core, enhancing rim, oedema
      }
    }
  };
  report::OverlayPanel image = slice(), truth = slice(), prediction = slice();
  image.labels.clear();
  tumour(truth, 64, 34);
  tumour(prediction, 62, 37);
  report::OverlayOptions options;
  options.zoom = 3;
  report::write_label_overlay_png((samples() / "overlay_sample.png").string(), {image, truth, prediction}, options);
  CHECK(fs::file_size(samples() / "overlay_sample.png") > 1000);
}

TEST_CASE("Files are written atomically: replaced whole, no temporary left, the old file kept on failure") {
  const fs::path dir = samples() / "atomic";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "table.csv").string();
  report::write_file_atomically(path, "first\n");
  report::write_file_atomically(path, "second\n");
  CHECK(read(path) == "second\n");
  CHECK(!fs::exists(path + ".tmp"));
  fs::create_directories(path + ".tmp");  // the temporary cannot be opened: the write fails
  CHECK_THROWS_AS(report::write_file_atomically(path, "third\n"), medrepro::Error);
  CHECK(read(path) == "second\n");
}
