// Khan & Yong, "A Deep Learning Architecture for Classifying Medical Images of
// Anatomy Object" (APSIPA 2017): Table II and Figures 4-13, reproduced on MedNIST.
//
// Methods, as the paper gives them and as this program follows them:
//   - Four CNNs: LeNet, AlexNet, GoogLeNet and the proposed CNN (models.h).
//   - SGD, learning rate 0.01, momentum 0.9, weight decay 0.0005, 30 epochs;
//     batch sizes and the learning-rate policy, which the paper does not give,
//     are NVIDIA DIGITS' defaults (its figures look like DIGITS' plots, and its
//     0.01 and 30 epochs are DIGITS' defaults too).
//   - Five anatomy classes; 100 test images per class; validation on a random
//     20% of the training set.
//   - Figure 13: seven training-set sizes.
// What differs (data, sizes, epochs, ...) is listed in the report's deviations.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "datasets/mednist.h"
#include "datasets/paths.h"
#include "datasets/split.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/json.h"
#include "papers/common/run_info.h"
#include "papers/khan_yong_anatomy/experiment.h"
#include "papers/khan_yong_anatomy/models.h"
#include "papers/khan_yong_anatomy/report.h"
#include "papers/khan_yong_anatomy/training_sets.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
namespace ds = medrepro::datasets;
using medrepro::papers::ExperimentRunner;
using medrepro::papers::PlannedRun;
using medrepro::papers::RunContext;
using medrepro::papers::RunnerOptions;
using medrepro::report::Json;

namespace khan_yong {
namespace {

const std::string kUsage = std::string(
    "usage: khan_yong_anatomy [--profile smoke|cpu|paper] [--data PATH] [--out DIR] [--device N]\n"
    "                         [--seeds N] [--epochs N] [--batch N] [--pool-per-class N] [--input-size N]\n"
    "                         [--sizes N] [--checkpoint-interval SECONDS] [--models lenet,alexnet,googlenet,proposed]\n"
    "                         [--classes AbdomenCT,BreastMRI,ChestCT,CXR,Hand] [--resume] [--validation]\n"
    "                         [--plan] [--shard i/n] [--report-only]\n"
    "Trains the four CNNs of Khan & Yong (2017) on MedNIST and writes Table II, Figures 4-13 and a report\n"
    "to --out (default: reports/khan_yong_anatomy in the source tree). Default profile: 'paper' on a GPU,\n"
    "'cpu' on a CPU driver. --seeds, --epochs, --batch, --pool-per-class (training + validation images per\n"
    "class at Table II's size), --input-size (pixels, all models) and --sizes (Figure 13's training-set sizes)\n"
    "change the profile's values. A run writes a checkpoint at the end of an epoch once\n"
    "--checkpoint-interval seconds of training (default 60; 0: every epoch) have passed since its last.\n"
    "Shards and --report-only must be given the same profile and options.\n") +
    RunnerOptions::usage();

// MedNIST stands in for the paper's NLM set, which is not public: CT, MRI and
// X-ray, with ChestCT and CXR as the same anatomy in two modalities and Hand as
// the bone class. HeadCT is left out to keep the paper's five-way task.
const std::vector<std::string> kDefaultClasses = {"AbdomenCT", "BreastMRI", "ChestCT", "CXR", "Hand"};
const std::vector<std::string> kModels = {"lenet", "alexnet", "googlenet", "proposed"};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int epochs_for(const Profile& profile, size_t train_size, size_t batch_size) {
  const size_t batches = (train_size + batch_size - 1) / batch_size;
  const auto for_steps = static_cast<int>((size_t(profile.min_steps) + batches - 1) / std::max<size_t>(batches, 1));
  return std::max(profile.epochs, for_steps);
}

// DIGITS' default learning-rate policy ("Step Down", step size 33%, gamma 0.1):
// the base rate 0.01 falls tenfold after each third of the SGD steps.
medrepro::StepSchedule digits_step_down(int epochs, size_t train_size, size_t batch_size) {
  const auto steps = int64_t(epochs) * int64_t((train_size + batch_size - 1) / batch_size);
  return {0.01f, 0.1f, std::max<int64_t>(1, (steps * 33 + 99) / 100)};
}

// Input scaling under each reading (models.h). DIGITS subtracts the training
// mean (here one value, not its default per-pixel mean image) from raw 0..255
// pixels; its LeNet then multiplies by 0.0125.
ds::BatchOptions input_for(const std::string& model, Reading reading, int size, double training_mean) {
  if (reading == Reading::UnitHe) return {size, size, 0.0f, 1.0f};
  const float mean = static_cast<float>(training_mean);
  if (model == "lenet") return {size, size, mean, 1.0f / (255.0f * 0.0125f)};
  return {size, size, mean, 1.0f / 255.0f};
}

double mean_pixel(const ds::ImageSet& set, const std::vector<size_t>& items) {
  double sum = 0;
  for (size_t item : items) {
    const uint8_t* image = set.image(item);
    for (size_t i = 0; i < set.image_bytes(); ++i) sum += image[i];
  }
  return sum / (255.0 * double(items.size()) * double(set.image_bytes()));
}

Profile choose_profile(const std::string& name, const medrepro::PhysicalDeviceInfo& device) {
  Profile profile;
  if (name == "smoke") profile = smoke_profile();
  else if (name == "cpu") profile = cpu_profile();
  else if (name == "paper") profile = paper_profile();
  else if (name.empty()) profile = device.type == "CPU" ? cpu_profile() : paper_profile();
  else medrepro::fail("Unknown profile '" + name + "': choose smoke, cpu or paper");
  if (!name.empty()) profile.why = "requested with --profile " + name + " (" + profile.why + ")";
  return profile;
}

void apply_overrides(Profile& profile, const std::vector<std::pair<std::string, long long>>& overrides) {
  std::string given;
  for (const auto& [name, value] : overrides) {
    if (value == 0) continue;
    given += (given.empty() ? "" : ", ") + ("--" + name + " " + std::to_string(value));
    const auto count = static_cast<int>(std::min<long long>(value, 1 << 30));
    if (name == "seeds") profile.seeds = count;
    else if (name == "epochs") profile.epochs = count;
    else if (name == "batch") profile.batch_size = size_t(value);
    else if (name == "pool-per-class") profile.pool_per_class = size_t(value), profile.pool_total = 0;
    else if (name == "input-size") profile.input_size = count;
    else if (name == "sizes") profile.curve_sizes = count;
  }
  if (!given.empty()) profile.why += "; changed with " + given;
}

// What every run's result depends on beyond its own settings: run files made
// under another profile or data set are refused, never mixed into a report.
Json fingerprint(const Profile& profile, const ds::ImageSet& set) {
  return Json()
      .set("paper", "khan_yong_anatomy")
      .set("input_size", profile.input_size)
      .set("epochs", profile.epochs)
      .set("min_steps", profile.min_steps)
      .set("pool_per_class", uint64_t(profile.pool_per_class))
      .set("pool_total", uint64_t(profile.pool_total))
      .set("test_per_class", uint64_t(profile.test_per_class))
      .set("curve_sizes", profile.curve_sizes)
      .set("batch_size", describe_batch_sizes(profile))
      .set("classes", Json::array_of(set.class_names))
      .set("data_sha256", set.sha256);
}

// Forward FLOPs per image of each model at its input size: the runs' relative
// costs for the shards and the ETA.
double forward_flops(const std::string& model, int input_size, int classes) {
  auto network = make_model(model, input_size, classes, 1, Reading::Digits);
  double flops = 0;
  for (const auto& layer : summarize(*network, input_size)) flops += layer.flops;
  return flops;
}

}  // namespace

int run(int argc, char** argv) {
  medrepro::Args args(argc, argv, kUsage);
  const std::string profile_name = args.text("profile", "");
  const std::string data = args.text("data", ds::default_data_dir().string());
  // Options that scale the study; 0: the profile's value.
  const std::vector<std::pair<std::string, long long>> overrides = {
      {"seeds", args.positive("seeds", 0)},
      {"epochs", args.positive("epochs", 0)},
      {"batch", args.positive("batch", 0)},
      {"pool-per-class", args.positive("pool-per-class", 0)},
      {"input-size", args.positive("input-size", 0)},
      {"sizes", args.positive("sizes", 0)}};
  const double checkpoint_interval = args.number("checkpoint-interval", 60);
  if (!(checkpoint_interval >= 0)) medrepro::fail("--checkpoint-interval must be 0 or more seconds");
  const std::vector<std::string> models = split_list(args.text("models", "lenet,alexnet,googlenet,proposed"));
  const std::vector<std::string> classes = split_list(args.text("classes", ""));
  const RunnerOptions runner_options =
      RunnerOptions::from_args(args, std::string(MEDREPRO_SOURCE_DIR) + "/reports/khan_yong_anatomy");
  const medrepro::DeviceOptions device_options = args.device_options();
  args.finish();
  for (const std::string& m : models) {
    if (std::find(kModels.begin(), kModels.end(), m) == kModels.end()) {
      medrepro::fail("Unknown model '" + m + "' in --models: choose from lenet, alexnet, googlenet, proposed");
    }
  }
  const fs::path& out = runner_options.out;

  medrepro::Context& context = medrepro::Context::open(device_options);
  const auto& device = context.info();
  Profile profile = choose_profile(profile_name, device);
  apply_overrides(profile, overrides);
  std::printf("device: %s (%s, %s)\nprofile: %s, because %s\n", device.name.c_str(), device.type.c_str(),
              device.driver_version.c_str(), profile.name.c_str(), profile.why.c_str());

  // Data: MedNIST, five classes, duplicates kept on one side of every split.
  const ds::ImageSet set = ds::load_mednist(data, {classes.empty() ? kDefaultClasses : classes, 0});
  const auto duplicates = ds::find_duplicate_groups(set.content_hashes);
  const ds::Split test_split =
      ds::stratified_split(set.labels, duplicates, {kDataSeed, profile.test_per_class, 0.0, true});
  const Pools pools = make_pools(set, test_split.train, profile);
  if (profile.pool_per_class > pools.per_class_limit.front()) {
    medrepro::fail("--pool-per-class " + std::to_string(profile.pool_per_class) + " is more than the data has: " +
                   std::to_string(pools.per_class_limit.front()) +
                   " images per class remain for training and validation beside the test set");
  }
  const std::vector<size_t> sizes = curve_sizes(pools.per_class_limit.front(), profile.curve_sizes);
  std::printf("data: %s (sha256 %s), %zu images, %zu duplicate groups; test %zu; largest pool %zu per class\n",
              set.source.string().c_str(), set.sha256.c_str(), set.size(), duplicates.size(), test_split.test.size(),
              pools.per_class_limit.front());

  // The plan: under the primary reading every model, every seed, every
  // training-set size, largest first (the largest is Table II's run); under the
  // second reading Table II's runs again, for the sensitivity analysis.
  struct Training {
    std::string model;
    Reading reading;
    int seed;
    SizedSplit split;
    bool table_run;
  };
  std::vector<PlannedRun> plan;
  std::map<std::string, Training> trainings;
  const int class_count = static_cast<int>(set.class_names.size());
  for (const Reading reading : {Reading::Digits, Reading::UnitHe}) {
    for (const std::string& model : models) {
      const double flops = forward_flops(model, input_size_for(profile, model), class_count);
      for (int seed = 1; seed <= profile.seeds; ++seed) {
        for (size_t s = sizes.size(); s-- > 0;) {
          const bool table_run = s + 1 == sizes.size();
          if (reading != Reading::Digits && !table_run) continue;
          Training training{model, reading, seed, sized_split(pools, sizes[s], table_run), table_run};
          const size_t pool = training.split.pool;
          const std::string id = run_id(model, reading, seed, pool);
          const double epochs =
              epochs_for(profile, training.split.train.size(), batch_size_for(profile, model));
          const double images = epochs * double(3 * training.split.train.size() + training.split.val.size()) +
                                double(test_split.test.size());  // a training image costs about 3 forward passes
          plan.push_back({id,
                          {{"model", model},
                           {"reading", reading_name(reading)},
                           {"seed", std::to_string(seed)},
                           {"pool", std::to_string(pool)}},
                          flops * images});
          trainings.emplace(id, std::move(training));
        }
      }
    }
  }
  ExperimentRunner runner(runner_options, plan, fingerprint(profile, set),
                          medrepro::report::collect_run_info(argc, argv));
  if (runner_options.plan_only) {
    runner.print_plan();
    return 0;
  }

  // Training: SGD as the paper gives it, each run from its own seed.
  if (!runner_options.report_only) {
    runner.perform([&](RunContext& run_context) {
      const Training& training = trainings.at(run_context.run().id);
      const std::string& id = run_context.run().id;
      const int input_size = input_size_for(profile, training.model);
      Run run;
      run.model = training.model;
      run.reading = training.reading;
      run.seed = training.seed;
      run.pool_size = training.split.pool;
      run.train_size = training.split.train.size();
      run.val_size = training.split.val.size();
      run.batch_size = batch_size_for(profile, training.model);
      run.epochs = epochs_for(profile, training.split.train.size(), run.batch_size);
      medrepro::papers::TrainingConfig config;
      config.name = id;
      config.epochs = run.epochs;
      config.batch_size = run.batch_size;
      config.sgd = {0.01f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe};
      config.step_schedule = digits_step_down(run.epochs, run.train_size, run.batch_size);
      config.seed = uint64_t(training.seed);
      config.input =
          input_for(training.model, training.reading, input_size, mean_pixel(set, training.split.train));
      config.checkpoint_path = run_context.checkpoint_path();
      config.checkpoint_interval_seconds = checkpoint_interval;  // what an interruption may lose
      config.plan_progress = [&](double fraction) { return run_context.plan_progress(fraction); };
      auto network =
          make_model(training.model, input_size, class_count, uint64_t(training.seed) * 1000, training.reading);
      run.result = medrepro::papers::train_classifier(*network, set, training.split.train, training.split.val,
                                                      test_split.test, config);
      if (run.result.diverged_at_step) {
        std::printf("%-32s diverged at step %lld: excluded from the means, listed in the report\n", id.c_str(),
                    static_cast<long long>(*run.result.diverged_at_step));
      } else {
        std::printf("%-32s %3d epochs  %7.1f s  val acc %6.2f%%  test acc %6.2f%%\n", id.c_str(), run.epochs,
                    run.result.train_seconds, run.result.epochs.back().val_accuracy, run.result.test.accuracy);
      }
      std::fflush(stdout);
      context.require_no_validation_messages("while training " + id);
      if (training.table_run && !run.result.diverged_at_step) {
        write_model_figures(run_context.artefact_dir(), training.model, *network, set, test_split.test, config.input);
      }
      return run_to_json(run, training.table_run);
    });
  }
  if (runner_options.sharded()) {
    std::printf("shard %s done; write the report with --report-only once every shard has finished\n",
                runner_options.shard.text().c_str());
    return 0;
  }

  const std::vector<medrepro::papers::FinishedRun> finished = runner.collect();
  std::vector<Run> runs;
  for (const auto& f : finished) runs.push_back(run_from_json(f.result));
  ds::Split saved = test_split;
  saved.tag = "MedNIST sha256=" + set.sha256;
  ds::save_split(out / "test_split.txt", saved);
  ReportInputs inputs{runner.run_info(), ExperimentRunner::provenance(finished), profile, set, test_split, sizes,
                      models, runs, runner.elapsed_seconds()};
  write_report(out, inputs, Json::load(std::string(MEDREPRO_SOURCE_DIR) + "/papers/khan_yong_anatomy/reported.json"));
  context.require_no_validation_messages("while writing the report");
  std::printf("report: %s\n", (out / "report.md").string().c_str());
  return 0;
}

}  // namespace khan_yong

int main(int argc, char** argv) {
  const medrepro::ContextScope device_scope;
  try {
    return khan_yong::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return 1;
  }
}
