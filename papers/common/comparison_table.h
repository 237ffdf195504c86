#pragma once
// The reported | reproduced | verdict table every report opens with. A paper
// fills it with data (the paper's value and the summary over seeds of each
// measure) and the same data gives the Markdown table and the CSV file, so the
// two cannot disagree. Tolerances are part of the measure, fixed in the paper's
// code before any run; the verdict is computed here, never typed.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "papers/common/stats.h"

namespace medrepro::report {

enum class Verdict { agrees, differs, not_applicable };
std::string to_string(Verdict verdict);  // "agrees", "differs", "n/a"

// Agrees when |mean - reported| <= tolerance; n/a without a reproduced value or
// without a reported one (NaN).
Verdict judge(const Summary& reproduced, double reported, double tolerance);

struct Measure {
  enum class Kind {
    tolerance,  // judged: agrees or differs by `tolerance`
    ratio,      // not comparable (other hardware, other data size): reproduced / reported only
  };
  std::string name;      // column heading, e.g. "Test acc. (%)"
  std::string csv_name;  // CSV column stem, e.g. "test_acc"
  int decimals = 1;
  Kind kind = Kind::tolerance;
  double tolerance = 0;  // in the measure's own units
  bool show_ci = false;  // the 95% CI of the mean in the Markdown cell (the CSV always has it)
};

struct Comparison {
  double reported = std::numeric_limits<double>::quiet_NaN();  // NaN: the paper gives none
  Summary reproduced;  // over the runs that finished
  size_t excluded = 0;  // runs left out of the summary (e.g. diverged), said in the cell
};

struct ComparisonRow {
  std::string label;                   // e.g. "LeNet"
  std::string csv_label;               // e.g. "lenet"; the label when empty
  std::vector<Comparison> comparisons;  // one per measure, in order
};

struct ComparisonTable {
  std::string row_heading = "Model";
  std::string csv_row_heading = "model";
  std::string sample_unit = "seeds";       // what a summary is over
  std::string excluded_reason = "diverged";  // why runs were left out
  std::vector<Measure> measures;
  std::vector<ComparisonRow> rows;
};

// A summary over runs as a cell: "mean ± SD", "[95% CI low, high]" when asked,
// "(n of N seeds; k diverged)" when runs were left out, "all diverged" when no
// run is left.
std::string format_over_runs(const Summary& s, int decimals, size_t excluded, bool show_ci = false,
                             const std::string& unit = "seeds", const std::string& reason = "diverged");

// "Verdicts use tolerances fixed in code before the run: Val. loss ±0.25; ...;
// Runtime (s) is compared as a ratio only."
std::string describe_tolerances(const ComparisonTable& table);
// Per measure: "<name> reported | reproduced | verdict" (ratio: "| ratio"),
// reproduced cells as format_over_runs writes them.
std::string render_markdown(const ComparisonTable& table);
// One line per row: label, then per measure reported, mean, sd, n, ci_low,
// ci_high and verdict (or ratio). Empty fields where there is no value.
std::string render_csv(const ComparisonTable& table);

}  // namespace medrepro::report
