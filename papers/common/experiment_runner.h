#pragma once
// The experiment runner shared by the paper executables. A paper declares its
// plan (every training run, each with an id and the settings that tell it apart)
// and a function that performs one run and returns its result as JSON; the runner
// owns the rest:
//   - one result file per finished run (out/runs/<id>.json), written atomically,
//     with the run's metadata (command, commit, device, data SHA-256s);
//   - --resume: finished runs are read back, unfinished ones restart from their
//     last checkpoint (out/checkpoints/<id>.ckpt);
//   - --shard i/n: only the i-th of n disjoint slices of the plan, so a sweep can
//     be spread over a cluster's jobs; --report-only then merges the run files;
//   - --plan: prints the plan, each run's shard and state, and stops;
//   - progress with an ETA over the whole plan, and wall times.
// A result with "diverged_at_step" is a diverged run: a result of the protocol,
// listed by the report, never averaged.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/cli.h"
#include "papers/common/json.h"
#include "papers/common/run_info.h"

namespace medrepro::papers {

// One training run of the plan.
struct PlannedRun {
  std::string id;  // unique within the plan and usable as a file name
  std::vector<std::pair<std::string, std::string>> settings;  // what tells it apart, e.g. {"model", "lenet"}
  double cost = 1;  // relative amount of work (e.g. FLOPs), for shards and the ETA

  std::string describe() const;  // "model=lenet seed=1 pool=50"
};

// The i-th (from 0) of n disjoint slices of a plan.
struct Shard {
  size_t index = 0, count = 1;
  static Shard parse(const std::string& text);  // "i/n"; Error on anything else
  std::string text() const;
};

// Each run goes to the shard with the least work so far, costliest runs first
// (ties: the earlier run, the lower shard): deterministic, and balanced when the
// costs are. Returns the shard index of every run of the plan.
std::vector<size_t> assign_shards(const std::vector<PlannedRun>& plan, size_t shard_count);

// The runner's command-line options, with their lines for a program's usage text.
struct RunnerOptions {
  std::filesystem::path out;
  bool resume = false;
  bool plan_only = false;
  bool report_only = false;
  Shard shard;

  static RunnerOptions from_args(Args& args, const std::string& default_out);
  static const char* usage();
  bool sharded() const { return shard.count > 1; }
};

struct FinishedRun {
  PlannedRun planned;
  report::Json result;    // what the paper's run function returned
  report::Json metadata;  // the run's RunInfo, shard and wall time
  bool diverged() const { return result.contains("diverged_at_step"); }
};

// Handed to the function that performs one run.
class RunContext {
 public:
  const PlannedRun& run() const { return *run_; }
  // Where the run keeps its resumable state; removed once the run's result is written.
  std::string checkpoint_path() const;
  // A folder of the run's own for files beside its result (e.g. figures); kept.
  std::filesystem::path artefact_dir() const;
  // Another run's folder (not created), e.g. for a network an earlier run of the plan trained.
  std::filesystem::path artefact_dir_of(const std::string& run_id) const;
  // " | run 3 of 8, plan 21%, ETA 4m10s" for a progress line, given how far this run is (0..1).
  std::string plan_progress(double fraction_of_run) const;

 private:
  friend class ExperimentRunner;
  const PlannedRun* run_ = nullptr;
  const class ExperimentRunner* runner_ = nullptr;
};

class ExperimentRunner {
 public:
  // `fingerprint` holds every setting that the results depend on and the plan does
  // not show (profile, data hashes, ...): run files made with another are refused.
  ExperimentRunner(RunnerOptions options, std::vector<PlannedRun> plan, report::Json fingerprint,
                   report::RunInfo run_info);

  const RunnerOptions& options() const { return options_; }
  const std::vector<PlannedRun>& plan() const { return plan_; }
  const report::RunInfo& run_info() const { return run_info_; }

  // What --plan prints: every run with its shard, cost share and state on disk.
  void print_plan() const;
  // Performs this shard's runs (all runs unless sharded) that have no result yet
  // (with --resume) or all of them (without). A fresh unsharded start first clears
  // out/runs and out/checkpoints; a fresh shard clears only its own runs' files,
  // since other shards may be writing beside it.
  void perform(const std::function<report::Json(RunContext&)>& run_one);
  // Every run of the plan, read from its result file, in plan order. Error naming
  // the runs (and their shards) that have no result yet.
  std::vector<FinishedRun> collect() const;
  // Wall time of this invocation so far.
  double elapsed_seconds() const;
  // The metadata of the runs, grouped: which commits, devices and hosts made them.
  static report::Json provenance(const std::vector<FinishedRun>& runs);

 private:
  friend class RunContext;
  std::filesystem::path result_path(const PlannedRun& run) const;
  std::filesystem::path checkpoint_file(const PlannedRun& run) const;
  bool has_result(const PlannedRun& run) const;  // a valid file of this plan
  FinishedRun read_result(const PlannedRun& run) const;

  RunnerOptions options_;
  std::vector<PlannedRun> plan_;
  std::vector<size_t> shard_of_;
  report::Json fingerprint_;
  report::RunInfo run_info_;
  double started_ = 0;
  // Progress of this invocation: cost of the runs performed or still to perform here.
  double cost_done_ = 0, cost_total_ = 0;
  size_t runs_done_ = 0, runs_total_ = 0;
  double performing_since_ = 0;
};

}  // namespace medrepro::papers
