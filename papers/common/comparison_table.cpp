#include "papers/common/comparison_table.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "papers/common/report_text.h"

namespace medrepro::report {
namespace {

using Kind = Measure::Kind;

// The paper's values are printed with few digits (81, 76.6), so a difference of
// exactly the tolerance must agree although 81.6 - 76.6 is 5.000000000000007
// in binary floating point.
bool within(double difference, double tolerance, double reported) {
  return std::abs(difference) <= tolerance + 1e-9 * std::max(1.0, std::abs(reported));
}

std::string reported_cell(double reported) { return std::isnan(reported) ? "—" : plain(reported); }

std::string reproduced_cell(const ComparisonTable& table, const Measure& measure, const Comparison& c) {
  return format_over_runs(c.reproduced, measure.decimals, c.excluded, measure.show_ci, table.sample_unit,
                          table.excluded_reason);
}

bool has_ratio(const Comparison& c) { return c.reproduced.n > 0 && !std::isnan(c.reported) && c.reported != 0; }

void check_shape(const ComparisonTable& table) {
  for (const ComparisonRow& row : table.rows) {
    if (row.comparisons.size() != table.measures.size()) {
      fail("Comparison table: row '" + row.label + "' has " + std::to_string(row.comparisons.size()) +
           " values for " + std::to_string(table.measures.size()) + " measures");
    }
  }
}

}  // namespace

std::string format_over_runs(const Summary& s, int decimals, size_t excluded, bool show_ci, const std::string& unit,
                             const std::string& reason) {
  if (s.n == 0) return excluded > 0 ? "all " + reason : "—";
  std::string cell = format_summary(s, decimals);
  if (show_ci && s.n > 1) cell += " [95% CI " + fixed(s.ci_low, decimals) + ", " + fixed(s.ci_high, decimals) + "]";
  if (excluded > 0) {
    cell += " (" + std::to_string(s.n) + " of " + std::to_string(s.n + excluded) + " " + unit + "; " +
            std::to_string(excluded) + " " + reason + ")";
  }
  return cell;
}

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::agrees: return "agrees";
    case Verdict::differs: return "differs";
    case Verdict::not_applicable: return "n/a";
  }
  return "n/a";
}

Verdict judge(const Summary& reproduced, double reported, double tolerance) {
  if (reproduced.n == 0 || std::isnan(reported)) return Verdict::not_applicable;
  return within(reproduced.mean - reported, tolerance, reported) ? Verdict::agrees : Verdict::differs;
}

std::string describe_tolerances(const ComparisonTable& table) {
  std::string judged, ratios;
  for (const Measure& m : table.measures) {
    if (m.kind == Kind::tolerance) {
      judged += (judged.empty() ? "" : "; ") + m.name + " ±" + plain(m.tolerance);
    } else {
      ratios += (ratios.empty() ? "" : ", ") + m.name;
    }
  }
  std::string out;
  if (!judged.empty()) {
    out = "A reproduced mean agrees with the reported value when within a tolerance fixed in code before the run: " +
          judged + ".";
  }
  if (!ratios.empty()) out += (out.empty() ? "" : " ") + ratios + ": compared as a ratio (reproduced / reported) only.";
  return out;
}

std::string render_markdown(const ComparisonTable& table) {
  check_shape(table);
  std::ostringstream md;
  md << "| " << table.row_heading << " |";
  size_t columns = 1;
  for (const Measure& m : table.measures) {
    md << " " << m.name << " reported | reproduced | " << (m.kind == Kind::ratio ? "ratio" : "verdict") << " |";
    columns += 3;
  }
  md << "\n|";
  for (size_t i = 0; i < columns; ++i) md << "---|";
  md << "\n";
  for (const ComparisonRow& row : table.rows) {
    md << "| " << row.label << " |";
    for (size_t k = 0; k < table.measures.size(); ++k) {
      const Measure& m = table.measures[k];
      const Comparison& c = row.comparisons[k];
      md << " " << reported_cell(c.reported) << " | " << reproduced_cell(table, m, c) << " | ";
      if (m.kind == Kind::ratio) md << (has_ratio(c) ? fixed(c.reproduced.mean / c.reported, 3) : "n/a");
      else md << to_string(judge(c.reproduced, c.reported, m.tolerance));
      md << " |";
    }
    md << "\n";
  }
  return md.str();
}

std::string render_csv(const ComparisonTable& table) {
  check_shape(table);
  std::ostringstream csv;
  csv << table.csv_row_heading;
  for (const Measure& m : table.measures) {
    const std::string& s = m.csv_name;
    csv << ",reported_" << s << "," << s << "_mean," << s << "_sd," << s << "_n," << s << "_ci_low," << s
        << "_ci_high," << s << (m.kind == Kind::ratio ? "_ratio" : "_verdict");
  }
  csv << "\n";
  for (const ComparisonRow& row : table.rows) {
    csv << (row.csv_label.empty() ? row.label : row.csv_label);
    for (size_t k = 0; k < table.measures.size(); ++k) {
      const Measure& m = table.measures[k];
      const Comparison& c = row.comparisons[k];
      const Summary& s = c.reproduced;
      csv << "," << (std::isnan(c.reported) ? "" : plain(c.reported));
      if (s.n > 0) csv << "," << plain(s.mean) << "," << plain(s.sd) << "," << s.n << "," << plain(s.ci_low)
                       << "," << plain(s.ci_high);
      else csv << ",,,0,,";
      if (m.kind == Kind::ratio) csv << "," << (has_ratio(c) ? plain(s.mean / c.reported) : "");
      else csv << "," << to_string(judge(s, c.reported, m.tolerance));
    }
    csv << "\n";
  }
  return csv.str();
}

}  // namespace medrepro::report
