// Rezaei, Yang & Meinel, "Brain abnormality detection by deep convolutional neural
// network" (AIME 2017 doctoral consortium): the classification part, Tables 1 and 2,
// reproduced on BrainTumorMRI.
//
// Methods, as the paper gives them and as this program follows them (the notes,
// shared/papers/rezaei_brain_mri.md, fix every choice the paper leaves open):
//   - A Krizhevsky-based CNN of seven convolutions with average pooling after conv3
//     and max pooling after conv5 and conv6, three fully connected layers of 4096
//     regularised by dropout, and an SVM on top: trained end to end as an L2-SVM
//     (squared hinge, one-vs-rest) by SGD.
//   - Its five-convolution ablation ("7 conv > 5 conv"), and, beyond the paper, the
//     same network with a softmax head.
//   - Table 2's other rows, wavelet (Haar, DAUB-4) + PCA + KNN or RBF-SVM pipelines,
//     on the same images, binary and 4-way.
// The detection and segmentation parts (Tables 3 and 5) are not in this version:
// the report says so. What differs from the paper is listed in its deviations.
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "datasets/brain_tumor_mri.h"
#include "datasets/paths.h"
#include "papers/common/classifier_training.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/run_info.h"
#include "papers/rezaei_brain_mri/classification_models.h"
#include "papers/rezaei_brain_mri/profiles.h"
#include "papers/rezaei_brain_mri/report.h"
#include "papers/rezaei_brain_mri/tumour_images.h"
#include "papers/rezaei_brain_mri/wavelet_baselines.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
namespace ds = medrepro::datasets;
namespace papers = medrepro::papers;
using medrepro::report::Json;

namespace rezaei {
namespace {

const std::string kUsage = std::string(
    "usage: rezaei_brain_mri [--profile smoke|cpu|paper] [--data PATH] [--out DIR] [--device N]\n"
    "                        [--seeds N] [--epochs N] [--train-per-class N] [--checkpoint-interval SECONDS]\n"
    "                        [--resume] [--validation] [--plan] [--shard i/n] [--report-only]\n"
    "Trains Rezaei et al.'s (2017) classification CNN, its ablations and the wavelet baselines on\n"
    "BrainTumorMRI (--data: the folder holding BrainTumorMRI.tar.gz) and writes Tables 1-2 and a report to\n"
    "--out (default: reports/rezaei_brain_mri in the source tree). Default profile: 'paper' on a GPU, 'cpu'\n"
    "on a CPU driver. --seeds, --epochs and --train-per-class change the profile's values. A run writes a\n"
    "checkpoint at the end of an epoch once --checkpoint-interval seconds (default 60) have passed.\n") +
    papers::RunnerOptions::usage();

// The CNN runs: the paper's network with its L2-SVM head, the 5-conv ablation with
// the same head, the paper's network with softmax instead.
struct CnnVariant {
  int convolutions;
  papers::LossKind loss;
};
const std::vector<CnnVariant> kCnnVariants = {{7, papers::LossKind::SquaredHinge},
                                              {5, papers::LossKind::SquaredHinge},
                                              {7, papers::LossKind::SoftmaxCrossEntropy}};

std::string head_id(papers::LossKind loss) { return loss == papers::LossKind::SquaredHinge ? "l2svm" : "softmax"; }

void apply_overrides(Profile& profile, long long seeds, long long epochs, long long train_per_class) {
  std::string given;
  if (seeds > 0) profile.seeds = int(seeds), given += " --seeds " + std::to_string(seeds);
  if (epochs > 0) profile.epochs = int(epochs), given += " --epochs " + std::to_string(epochs);
  if (train_per_class > 0) {
    profile.train_per_class = size_t(train_per_class);
    if (profile.val_per_class == 0) profile.val_per_class = std::max<size_t>(1, size_t(train_per_class) / 4);
    given += " --train-per-class " + std::to_string(train_per_class);
  }
  if (!given.empty()) profile.why += "; changed with" + given;
}

Json fingerprint(const Profile& profile, const ds::BrainTumorMri& data) {
  return Json()
      .set("paper", "rezaei_brain_mri")
      .set("input_size", profile.input_size)
      .set("width_scale", profile.width_scale)
      .set("fc_width", profile.fc_width)
      .set("train_per_class", uint64_t(profile.train_per_class))
      .set("val_per_class", uint64_t(profile.val_per_class))
      .set("images_per_class", uint64_t(profile.images_per_class))
      .set("epochs", profile.epochs)
      .set("batch_size", uint64_t(profile.batch_size))
      .set("cv_folds", profile.cv_folds)
      .set("data_sha256", data.set.sha256);
}

int none_class(const ds::ImageSet& set) {
  for (size_t c = 0; c < set.class_names.size(); ++c) {
    if (set.class_names[c] == "notumor") return int(c);
  }
  medrepro::fail("BrainTumorMRI has no 'notumor' class: the binary reading needs it");
}

}  // namespace

int run(int argc, char** argv) {
  medrepro::Args args(argc, argv, kUsage);
  const std::string profile_name = args.text("profile", "");
  const fs::path data_dir = args.text("data", ds::default_data_dir().string());
  const long long seeds = args.positive("seeds", 0), epochs = args.positive("epochs", 0),
                  train_per_class = args.positive("train-per-class", 0);
  const double checkpoint_interval = args.number("checkpoint-interval", 60);
  if (!(checkpoint_interval >= 0)) medrepro::fail("--checkpoint-interval must be 0 or more seconds");
  const papers::RunnerOptions runner_options =
      papers::RunnerOptions::from_args(args, std::string(MEDREPRO_SOURCE_DIR) + "/reports/rezaei_brain_mri");
  const medrepro::DeviceOptions device_options = args.device_options();
  args.finish();

  medrepro::Context& context = medrepro::Context::open(device_options);
  const auto& device = context.info();
  Profile profile = choose_profile(profile_name, device.type == "CPU");
  apply_overrides(profile, seeds, epochs, train_per_class);
  std::printf("device: %s (%s, %s)\nprofile: %s, because %s\n", device.name.c_str(), device.type.c_str(),
              device.driver_version.c_str(), profile.name.c_str(), profile.why.c_str());

  // Data: BrainTumorMRI, deduplicated (no image content on two sides of the split).
  const ds::BrainTumorMri data = ds::load_brain_tumor_mri(data_dir / "BrainTumorMRI.tar.gz", {profile.images_per_class});
  const ds::ImageSet& set = data.set;
  const ds::Split deduplicated = ds::brain_tumor_split(data);
  const ClassificationSplit split =
      classification_split(data, deduplicated, profile.train_per_class, profile.val_per_class);
  const int classes = int(set.class_names.size()), none = none_class(set);
  std::printf("data: %s (sha256 %s), %zu images, %zu duplicate copies left out; train %zu, val %zu, test %zu\n",
              set.source.string().c_str(), set.sha256.c_str(), set.size(), deduplicated.dropped_duplicates,
              split.train.size(), split.val.size(), split.test.size());

  // The plan: every CNN variant and seed, then the baselines (deterministic: one run each).
  std::vector<papers::PlannedRun> plan;
  std::map<std::string, CnnVariant> cnn_runs;
  std::map<std::string, std::pair<Pipeline, int>> baseline_runs;
  for (const CnnVariant& variant : kCnnVariants) {
    ConvNet probe({variant.convolutions, profile.width_scale, profile.fc_width}, profile.input_size, classes, 1);
    double flops = 0;
    for (const auto& row : probe.summary()) flops += row.flops;
    const double images = double(profile.epochs) * double(3 * split.train.size() + split.val.size()) +
                          double(split.test.size());
    for (int seed = 1; seed <= profile.seeds; ++seed) {
      const std::string id =
          architecture_id(variant.convolutions) + "_" + head_id(variant.loss) + "_seed" + std::to_string(seed);
      plan.push_back({id,
                      {{"model", architecture_id(variant.convolutions)},
                       {"head", head_id(variant.loss)},
                       {"seed", std::to_string(seed)}},
                      flops * images});
      cnn_runs.emplace(id, variant);
    }
  }
  for (Pipeline pipeline : {Pipeline::HaarPcaKnn, Pipeline::Daub4PcaSvm}) {
    for (int task_classes : {2, classes}) {
      const std::string task = task_classes == 2 ? "binary" : std::to_string(task_classes) + "way";
      const std::string id = pipeline_id(pipeline) + "_" + task;
      plan.push_back({id, {{"pipeline", pipeline_id(pipeline)}, {"task", task}}, 1e9});
      baseline_runs.emplace(id, std::make_pair(pipeline, task_classes));
    }
  }
  papers::ExperimentRunner runner(runner_options, plan, fingerprint(profile, data),
                                  medrepro::report::collect_run_info(argc, argv));
  if (runner_options.plan_only) {
    runner.print_plan();
    return 0;
  }

  if (!runner_options.report_only) {
    // Every run sees the same examples: training pool, validation and test, in that order.
    std::vector<size_t> items = split.train;
    items.insert(items.end(), split.val.begin(), split.val.end());
    items.insert(items.end(), split.test.begin(), split.test.end());
    std::vector<size_t> local_train, local_val, local_test;
    for (size_t i = 0; i < items.size(); ++i) {
      (i < split.train.size() ? local_train : i < split.train.size() + split.val.size() ? local_val : local_test)
          .push_back(i);
    }
    const float mean = mean_intensity(set, split.train, profile.input_size);
    const papers::ArrayExamples examples =
        classification_examples(set, items, profile.input_size, mean, classification_augmentation());
    std::map<int, std::vector<std::vector<double>>> features;  // per wavelet family, of `items`

    runner.perform([&](papers::RunContext& run_context) {
      const std::string& id = run_context.run().id;
      if (auto cnn = cnn_runs.find(id); cnn != cnn_runs.end()) {
        const int seed = std::stoi(run_context.run().settings.back().second);
        papers::TrainingConfig config;
        config.name = id;
        config.epochs = profile.epochs;
        config.batch_size = profile.batch_size;
        config.sgd = {0.01f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe};
        config.loss = cnn->second.loss;
        config.seed = uint64_t(seed);
        config.checkpoint_path = run_context.checkpoint_path();
        config.checkpoint_interval_seconds = checkpoint_interval;
        config.plan_progress = [&](double fraction) { return run_context.plan_progress(fraction); };
        ConvNet network({cnn->second.convolutions, profile.width_scale, profile.fc_width}, profile.input_size,
                        classes, uint64_t(seed) * 1000);
        const papers::TrainingResult result =
            papers::train_classifier(network, examples, local_train, local_val, local_test, config);
        context.require_no_validation_messages("while training " + id);
        return cnn_run_to_json(result, items);
      }
      const auto [pipeline, task_classes] = baseline_runs.at(id);
      const auto family = pipeline == Pipeline::HaarPcaKnn ? medrepro::wavelet::Family::Haar
                                                           : medrepro::wavelet::Family::Daubechies4;
      auto& rows = features[int(family)];
      if (rows.empty()) {
        for (size_t item : items) rows.push_back(wavelet_features(set, item, family));
      }
      std::vector<std::vector<double>> train_rows, test_rows;
      std::vector<int> train_labels, test_labels;
      for (size_t i = 0; i < items.size(); ++i) {
        const int label = task_classes == 2 ? int(set.labels[items[i]] != none) : set.labels[items[i]];
        const bool test = i >= split.train.size() + split.val.size();
        (test ? test_rows : train_rows).push_back(rows[i]);
        (test ? test_labels : train_labels).push_back(label);
      }
      const BaselineResult result = run_baseline(pipeline, task_classes, train_rows, train_labels, test_rows,
                                                 test_labels, profile.cv_folds, kDataSeed);
      std::printf("%-24s cv %.1f%%  test %zu images  %.1f s\n", id.c_str(), result.cv_accuracy, test_rows.size(),
                  result.seconds);
      return result.to_json();
    });
  }
  if (runner_options.sharded()) {
    std::printf("shard %s done; write the report with --report-only once every shard has finished\n",
                runner_options.shard.text().c_str());
    return 0;
  }

  const std::vector<papers::FinishedRun> finished = runner.collect();
  const NearTwins twins = count_near_twins(set, split.test, deduplicated.train, {1.0, 2.0, 4.0});
  ReportInputs inputs{runner.run_info(), papers::ExperimentRunner::provenance(finished), profile, data, deduplicated,
                      split, twins, finished, runner.elapsed_seconds()};
  write_report(runner_options.out, inputs);
  context.require_no_validation_messages("while writing the report");
  std::printf("report: %s\n", (runner_options.out / "report.md").string().c_str());
  return 0;
}

}  // namespace rezaei

int main(int argc, char** argv) {
  const medrepro::ContextScope device_scope;
  try {
    return rezaei::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return 1;
  }
}
