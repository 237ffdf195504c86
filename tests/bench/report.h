#pragma once
// What the benchmark writes: the table on stdout, and in the output folder
// report.md (header, table, targets, notes), benchmark.csv and SVG plots of
// our rate against the peer's per row. Everything is generated from the run.
#include <optional>
#include <string>
#include <vector>

#include "papers/common/run_info.h"
#include "tests/bench/peer.h"
#include "tests/bench/row.h"
#include "tests/bench/targets.h"

namespace medrepro::bench {

struct RunDescription {
  report::RunInfo run;
  std::string cpu_model;
  long cores = 0;
  std::string load_before, load_after;  // /proc/loadavg: other work on the machine skews CPU-driver numbers
  double seconds = 0;
  bool quick = false;
  std::string rows_filter;
  float timestamp_period_ns = 0;  // 0: device has no timestamps
  std::optional<PeerProbe> probe;
  std::string peer_absent;  // why there is no peer, when there is none
  std::vector<PeerRun> peers;
  std::vector<TargetVerdict> verdicts;
  std::string target_set;
};

std::string format_table(const std::vector<Result>& results, const std::vector<PeerRun>& peers);
// report.md, benchmark.csv, throughput_gflops.svg, throughput_images.svg; returns the paths written.
std::vector<std::string> write_report(const std::string& folder, const RunDescription& description,
                                      const std::vector<Result>& results);

// "model name" of /proc/cpuinfo, and its first line of /proc/loadavg.
std::string cpu_model_name();
std::string load_average();

}  // namespace medrepro::bench
