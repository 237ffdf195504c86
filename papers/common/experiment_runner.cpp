#include "papers/common/experiment_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "core/error.h"
#include "papers/common/progress.h"

namespace medrepro::papers {

namespace fs = std::filesystem;
using report::Json;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool parse_whole_number(const std::string& text, size_t& value) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  value = std::stoul(text);
  return true;
}

}  // namespace

std::string PlannedRun::describe() const {
  std::string out;
  for (const auto& [key, value] : settings) out.append(out.empty() ? "" : " ").append(key + "=" + value);
  return out;
}

Shard Shard::parse(const std::string& text) {
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !parse_whole_number(text.substr(0, slash), shard.index) ||
      !parse_whole_number(text.substr(slash + 1), shard.count) || shard.count == 0 || shard.index >= shard.count) {
    fail("--shard takes i/n with 0 <= i < n (the i-th of n slices, counting from 0, as Slurm's "
         "SLURM_ARRAY_TASK_ID does with --array=0-(n-1)); got '" + text + "'");
  }
  return shard;
}

std::string Shard::text() const { return std::to_string(index) + "/" + std::to_string(count); }

std::vector<size_t> assign_shards(const std::vector<PlannedRun>& plan, size_t shard_count) {
  std::vector<size_t> order(plan.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return plan[a].cost > plan[b].cost; });
  std::vector<double> load(shard_count, 0.0);
  std::vector<size_t> shard_of(plan.size(), 0);
  for (size_t run : order) {
    const size_t lightest = size_t(std::min_element(load.begin(), load.end()) - load.begin());
    shard_of[run] = lightest;
    load[lightest] += plan[run].cost;
  }
  return shard_of;
}

RunnerOptions RunnerOptions::from_args(Args& args, const std::string& default_out) {
  RunnerOptions options;
  options.out = args.text("out", default_out);
  options.resume = args.flag("resume");
  options.plan_only = args.flag("plan");
  options.report_only = args.flag("report-only");
  const std::string shard = args.text("shard", "");
  if (!shard.empty()) options.shard = Shard::parse(shard);
  if (options.report_only && options.sharded()) fail("--report-only merges every shard's runs: leave out --shard");
  return options;
}

const char* RunnerOptions::usage() {
  return "Runs: --out DIR (report and run files), --resume (keep finished runs, continue unfinished ones from\n"
         "their checkpoints), --plan (print every run, its shard and state, and stop), --shard i/n (perform only\n"
         "the i-th of n disjoint slices of the plan, 0 <= i < n; no report), --report-only (write the report\n"
         "from the finished run files in --out, e.g. after all shards).";
}

std::string RunContext::checkpoint_path() const { return runner_->checkpoint_file(*run_).string(); }

fs::path RunContext::artefact_dir() const {
  const fs::path dir = artefact_dir_of(run_->id);
  fs::create_directories(dir);
  return dir;
}

fs::path RunContext::artefact_dir_of(const std::string& run_id) const { return runner_->options_.out / "runs" / run_id; }

std::string RunContext::plan_progress(double fraction_of_run) const {
  const ExperimentRunner& r = *runner_;
  const double done = r.cost_done_ + std::clamp(fraction_of_run, 0.0, 1.0) * run_->cost;
  const double share = r.cost_total_ > 0 ? done / r.cost_total_ : 0.0;
  std::string text = " | run " + std::to_string(r.runs_done_ + 1) + " of " + std::to_string(r.runs_total_) +
                     ", plan " + std::to_string(int(100 * share)) + "%";
  const double elapsed = now_seconds() - r.performing_since_;
  if (done > 0 && elapsed > 1) text += ", ETA " + format_duration(elapsed / done * (r.cost_total_ - done));
  return text;
}

ExperimentRunner::ExperimentRunner(RunnerOptions options, std::vector<PlannedRun> plan, Json fingerprint,
                                   report::RunInfo run_info)
    : options_(std::move(options)),
      plan_(std::move(plan)),
      fingerprint_(std::move(fingerprint)),
      run_info_(std::move(run_info)),
      started_(now_seconds()) {
  std::set<std::string> ids;
  for (const PlannedRun& run : plan_) {
    if (run.id.empty() || run.id.find_first_of("/\\ ") != std::string::npos) fail("Run id '" + run.id + "' is not a file name");
    if (!ids.insert(run.id).second) fail("Run id '" + run.id + "' appears twice in the plan");
  }
  shard_of_ = assign_shards(plan_, options_.shard.count);
}

fs::path ExperimentRunner::result_path(const PlannedRun& run) const { return options_.out / "runs" / (run.id + ".json"); }

fs::path ExperimentRunner::checkpoint_file(const PlannedRun& run) const {
  return options_.out / "checkpoints" / (run.id + ".ckpt");
}

double ExperimentRunner::elapsed_seconds() const { return now_seconds() - started_; }

bool ExperimentRunner::has_result(const PlannedRun& run) const {
  if (!fs::exists(result_path(run))) return false;
  read_result(run);  // refuses a file of another plan or settings, naming it
  return true;
}

FinishedRun ExperimentRunner::read_result(const PlannedRun& run) const {
  const fs::path path = result_path(run);
  const Json file = Json::load(path.string());
  if (!file.contains("fingerprint") || file["fingerprint"].dump(0) != fingerprint_.dump(0)) {
    fail(path.string() + " was made with other settings than this invocation's (" +
         (file.contains("fingerprint") ? file["fingerprint"].dump(0) : std::string("none")) + " instead of " +
         fingerprint_.dump(0) + "): choose another --out, or run without --resume to start afresh");
  }
  return {run, file["result"], file["metadata"]};
}

void ExperimentRunner::print_plan() const {
  double total = 0;
  for (const PlannedRun& run : plan_) total += run.cost;
  std::printf("plan: %zu runs in %zu shard(s), results in %s\n", plan_.size(), options_.shard.count,
              (options_.out / "runs").string().c_str());
  std::printf("%5s  %-5s  %6s  %-11s  %-34s %s\n", "#", "shard", "cost", "state", "id", "settings");
  for (size_t i = 0; i < plan_.size(); ++i) {
    const PlannedRun& run = plan_[i];
    std::string state = "pending";
    if (fs::exists(result_path(run))) {
      state = read_result(run).diverged() ? "diverged" : "finished";
    } else if (fs::exists(checkpoint_file(run))) {
      state = "checkpoint";
    }
    std::printf("%5zu  %-5zu  %5.1f%%  %-11s  %-34s %s\n", i + 1, shard_of_[i], 100 * run.cost / total,
                state.c_str(), run.id.c_str(), run.describe().c_str());
  }
  for (size_t s = 0; s < options_.shard.count; ++s) {
    double load = 0;
    size_t count = 0;
    for (size_t i = 0; i < plan_.size(); ++i) {
      if (shard_of_[i] == s) load += plan_[i].cost, ++count;
    }
    std::printf("shard %zu/%zu: %zu runs, %.1f%% of the work\n", s, options_.shard.count, count, 100 * load / total);
  }
}

void ExperimentRunner::perform(const std::function<Json(RunContext&)>& run_one) {
  fs::create_directories(options_.out / "runs");
  fs::create_directories(options_.out / "checkpoints");
  std::vector<const PlannedRun*> mine;
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (shard_of_[i] == options_.shard.index) mine.push_back(&plan_[i]);
  }
  if (!options_.resume) {
    // Nothing of an earlier invocation may reach this one's report.
    if (!options_.sharded()) {
      for (const char* folder : {"runs", "checkpoints"}) {
        fs::remove_all(options_.out / folder);
        fs::create_directories(options_.out / folder);
      }
    }
    for (const PlannedRun* run : mine) {
      fs::remove(result_path(*run));
      fs::remove(checkpoint_file(*run));
      fs::remove_all(options_.out / "runs" / run->id);
    }
  }
  std::vector<const PlannedRun*> todo;
  for (const PlannedRun* run : mine) {
    if (options_.resume && has_result(*run)) continue;
    todo.push_back(run);
  }
  runs_total_ = todo.size();
  cost_total_ = 0;
  for (const PlannedRun* run : todo) cost_total_ += run->cost;
  std::printf("runs: %zu of this %s's %zu to perform (%zu in the plan)%s\n", todo.size(),
              options_.sharded() ? ("shard " + options_.shard.text()).c_str() : "plan", mine.size(), plan_.size(),
              mine.size() > todo.size() ? "; the others are finished and read back" : "");
  std::fflush(stdout);
  performing_since_ = now_seconds();
  for (const PlannedRun* run : todo) {
    RunContext context;
    context.run_ = run;
    context.runner_ = this;
    const double run_started = now_seconds();
    Json result = run_one(context);
    Json metadata = run_info_.to_json();
    metadata.set("shard", options_.shard.text()).set("run_wall_seconds", now_seconds() - run_started);
    Json settings;
    for (const auto& [key, value] : run->settings) settings.set(key, value);
    Json file;
    file.set("id", run->id).set("settings", settings).set("fingerprint", fingerprint_);
    file.set("metadata", metadata).set("result", std::move(result));
    file.save(result_path(*run).string());
    fs::remove(checkpoint_file(*run));
    cost_done_ += run->cost;
    ++runs_done_;
  }
}

std::vector<FinishedRun> ExperimentRunner::collect() const {
  std::vector<FinishedRun> finished;
  std::map<size_t, std::vector<std::string>> missing;  // by shard
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (fs::exists(result_path(plan_[i]))) finished.push_back(read_result(plan_[i]));  // refuses other settings
    else missing[shard_of_[i]].push_back(plan_[i].id);
  }
  if (!missing.empty()) {
    std::string message = "Not every run of the plan has finished; no report is written. Missing:";
    for (const auto& [shard, ids] : missing) {
      message += "\n  shard " + std::to_string(shard) + "/" + std::to_string(options_.shard.count) + ":";
      for (const std::string& id : ids) message += " " + id;
    }
    message += "\nRun the missing shards (with the same options), or this command with --resume.";
    fail(message);
  }
  return finished;
}

Json ExperimentRunner::provenance(const std::vector<FinishedRun>& runs) {
  // Each distinct (commit, device, driver, host) with the number of runs it made.
  std::map<std::string, std::pair<Json, size_t>> groups;
  for (const FinishedRun& run : runs) {
    const Json& m = run.metadata;
    Json key;
    key.set("git_commit", m["git_commit"]).set("device", m["device"]).set("host", m["host"]);
    auto& group = groups[key.dump(0)];
    if (group.second == 0) group.first = key;
    ++group.second;
  }
  Json out = Json::Array{};
  for (auto& [text, group] : groups) out.push(group.first.set("runs", uint64_t(group.second)));
  return out;
}

}  // namespace medrepro::papers
