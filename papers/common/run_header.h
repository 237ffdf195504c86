#pragma once
// "## The run": what made the report (command, commit, start, device), the
// paper's own rows (profile, data, training settings), the wall time, and one
// row per (commit, device, host) that made the runs, so that every number can
// be traced to the code and hardware that produced it.
#include <string>
#include <utility>
#include <vector>

#include "papers/common/json.h"
#include "papers/common/run_info.h"

namespace medrepro::report {

struct RunHeader {
  RunInfo run;                                               // of the invocation writing the report
  std::vector<std::pair<std::string, std::string>> rows;     // the paper's rows, after the device
  double wall_seconds = 0;                                   // of this invocation
  std::string wall_detail;                                   // appended to the wall time, e.g. training seconds
  Json provenance = Json::Array{};                           // papers::ExperimentRunner::provenance(runs)
};

// A Markdown section starting with "## The run".
std::string render_run_header(const RunHeader& header);

}  // namespace medrepro::report
