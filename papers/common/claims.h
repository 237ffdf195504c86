#pragma once
// The paper's claims, each with the verdict the run gives it and the numbers it
// rests on, and the numbered list of ways the reproduction departs from the
// paper. Both are data, rendered to Markdown here so every report reads alike.
#include <string>
#include <vector>

namespace medrepro::report {

struct Claim {
  std::string statement;  // the paper's words, e.g. "(1) The proposed CNN has the best test accuracy"
  std::string criterion;  // how it is judged, when not obvious from the statement
  std::string verdict;    // e.g. "holds", "does not hold", "holds at 1 of 7 sizes"; empty when judged per part
  std::string evidence;   // the numbers behind the verdict
  std::vector<Claim> parts;  // judged separately, e.g. per model
};

// "- **statement** (criterion): verdict (evidence)", parts as nested items
// "  - statement: verdict (evidence)".
std::string render_claims(const std::vector<Claim>& claims);

struct Deviation {
  std::string topic;  // e.g. "Data"
  std::string text;   // what differs from the paper and why
};

// "1. **Data.** text" and so on.
std::string render_deviations(const std::vector<Deviation>& deviations);

}  // namespace medrepro::report
