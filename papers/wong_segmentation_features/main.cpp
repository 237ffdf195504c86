// Wong, Syeda-Mahmood & Moradi, "Building medical image classifiers with very
// limited data using segmentation networks" (Medical Image Analysis 2018): the
// brain experiment (Table 1, Figure 5) on the public analogue of the notes
// (../shared/papers/wong_segmentation_features.md).
//
// Methods, as the paper gives them and as this program follows them:
//   - Segmentation pre-training: an M-Net (mnet.h) learns brain structures from
//     CLAHE-normalised slices with the weighted cross-entropy of Eq. 1-2, Adam
//     (lr 1e-3), rigid augmentation with probability 0.6. Two label sources on the
//     same images: anatomical labels (here FreeSurfer's automatic aseg of one T1:
//     ASEG, the paper's MANUAL) and five k-means intensity clusters (KMEANS, the
//     paper's THRESHOLD).
//   - Classification with very little data: the head of Fig. 2a (n_c 32, n_FC
//     200, r 4) on each frozen M-Net's features, against SCRATCH (Fig. 2b, n_c 16,
//     n_FC 200) trained from scratch; Adam (lr 1e-4), batch 4, 50 epochs, classes
//     weighted by Eq. 2, the same augmentation; three classes, 11 normals fixed and
//     the tumorous training samples varied; repetitions re-draw the training pool
//     and test set; accuracy, Cohen's kappa and F1 per class on the test set.
// What differs (data, resolution, widths, epochs, sizes, repetitions) is listed in
// the report's deviations.
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "datasets/brain_tumor_mri.h"
#include "datasets/nifti.h"
#include "datasets/paths.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/run_info.h"
#include "papers/wong_segmentation_features/experiment.h"
#include "papers/wong_segmentation_features/profiles.h"
#include "papers/wong_segmentation_features/report.h"

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

namespace medrepro::wong {
namespace {

const std::string kUsage = std::string(
    "usage: wong_segmentation_features [--profile smoke|cpu|paper] [--data PATH] [--out DIR] [--device N]\n"
    "                                  [--repetitions N] [--sizes N,N,...] [--stage segmentation|all]\n"
    "                                  [--resume] [--validation] [--plan] [--shard i/n] [--report-only]\n"
    "Pre-trains M-Nets on brain slices under two label sources (FreeSurfer aseg structures, k-means\n"
    "intensity clusters), trains tumour classifiers on their frozen features and from scratch with very\n"
    "little data, and writes Dice tables, learning curves and a report to --out (default:\n"
    "reports/wong_segmentation_features in the source tree). Default profile: 'paper' on a GPU, 'cpu' on a\n"
    "CPU driver. --repetitions and --sizes (tumorous training samples, even numbers) change the profile's.\n"
    "Classification runs read the segmentation runs' networks: on a cluster, perform --stage segmentation\n"
    "first, then the shards with --resume.\n") +
    RunnerOptions::usage();

std::vector<size_t> parse_sizes(const std::string& text) {
  std::vector<size_t> sizes;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value == 0 || value % 2 != 0) {
      fail("--sizes takes even positive numbers separated by commas, not '" + text + "'");
    }
    sizes.push_back(size_t(value));
  }
  return sizes;
}

// Seconds per image-step measured on a 2-core lavapipe at 64x64 with n_s 4
// (profiles.cpp), scaled with the image area and, where an M-Net runs, its width:
// the runs' relative costs for the shards and the ETA.
double step_seconds(const Profile& profile, double measured, bool runs_mnet) {
  const double area = double(profile.input_size) * profile.input_size / (64.0 * 64.0);
  const double width = double(profile.segmentation_channels) / 4.0;
  return measured * area * (runs_mnet ? width * width : 1.0);
}

Json fingerprint(const Profile& profile, const std::string& brain_sha256, const std::string& crop_sha256,
                 const std::string& tumour_sha256) {
  Json sizes = Json::array_of(profile.tumorous_sizes);
  return Json()
      .set("paper", "wong_segmentation_features")
      .set("input_size", profile.input_size)
      .set("segmentation_channels", profile.segmentation_channels)
      .set("segmentation_epochs", profile.segmentation_epochs)
      .set("classification_epochs", profile.classification_epochs)
      .set("tumorous_sizes", sizes)
      .set("repetitions", profile.repetitions)
      .set("normals", uint64_t(profile.counts.normals))
      .set("test_mix", Json::array_of(std::vector<uint64_t>{profile.counts.test_normals, profile.counts.test_glioma,
                                                            profile.counts.test_meningioma}))
      .set("images_per_class", uint64_t(profile.images_per_class))
      .set("brain_sha256", brain_sha256)
      .set("mricrop_sha256", crop_sha256)
      .set("tumour_sha256", tumour_sha256);
}

}  // namespace

int run(int argc, char** argv) {
  Args args(argc, argv, kUsage);
  const std::string profile_name = args.text("profile", "");
  const fs::path data_dir = args.text("data", ds::default_data_dir().string());
  const long long repetitions = args.positive("repetitions", 0);
  const std::string sizes_text = args.text("sizes", "");
  const std::string stage = args.text("stage", "all");
  if (stage != "all" && stage != "segmentation") fail("--stage takes 'segmentation' or 'all', not '" + stage + "'");
  const RunnerOptions runner_options =
      RunnerOptions::from_args(args, std::string(MEDREPRO_SOURCE_DIR) + "/reports/wong_segmentation_features");
  const DeviceOptions device_options = args.device_options();
  args.finish();

  Context& context = Context::open(device_options);
  const auto& device = context.info();
  Profile profile = choose_profile(profile_name, device.type == "CPU");
  if (repetitions > 0) profile.repetitions = int(repetitions), profile.why += "; --repetitions " + std::to_string(repetitions);
  if (!sizes_text.empty()) profile.tumorous_sizes = parse_sizes(sizes_text), profile.why += "; --sizes " + sizes_text;
  profile.counts.largest_tumorous = *std::max_element(profile.tumorous_sizes.begin(), profile.tumorous_sizes.end());
  std::printf("device: %s (%s, %s)\nprofile: %s, because %s\n", device.name.c_str(), device.type.c_str(),
              device.driver_version.c_str(), profile.name.c_str(), profile.why.c_str());

  // Data: one T1 with its aseg for the segmentation networks; the Kaggle brain tumour
  // slices (deduplicated split) for the classifiers.
  const fs::path brain_dir = data_dir / "voxelmorph_test_scan";
  const ds::NiftiImage t1 = ds::read_nifti(brain_dir / "t1.nii.gz");
  const ds::NiftiImage aseg_image = ds::read_nifti(brain_dir / "aseg.nii.gz");
  const ds::LabelVolume aseg = ds::to_labels(aseg_image.volume, (brain_dir / "aseg.nii.gz").string());
  // The independent check: another subject's T1 crop with manual labels.
  const fs::path crop_dir = data_dir / "itksnap_mricrop";
  const ds::NiftiImage crop_t1 = ds::read_nifti(crop_dir / "t1.nii.gz");
  const CropSlices crop = mricrop_slices(crop_t1.volume, ds::read_nifti_labels(crop_dir / "seg.nii.gz"),
                                         profile.input_size);
  const ds::BrainTumorMri tumours =
      ds::load_brain_tumor_mri(data_dir / "BrainTumorMRI.tar.gz", {profile.images_per_class});
  const ds::Split tumour_split = ds::brain_tumor_split(tumours);
  std::vector<TumourDraw> draws;
  for (int r = 1; r <= profile.repetitions; ++r) {
    draws.push_back(draw_tumour_repetition(tumours, tumour_split, profile.counts, uint64_t(r)));
  }
  std::printf("data: %s (t1 sha256 %s), %s (sha256 %s), %zu training and %zu test tumour images\n",
              brain_dir.string().c_str(), t1.sha256.c_str(), tumours.set.source.string().c_str(),
              tumours.set.sha256.c_str(), tumour_split.train.size(), tumour_split.test.size());

  // The plan: the two segmentation networks first, then every framework at every
  // size of every repetition (the frameworks of one repetition and size share draws).
  std::vector<PlannedRun> plan;
  for (const LabelSource source : {LabelSource::Aseg, LabelSource::KMeans}) {
    const double slices = 363;  // training slices per epoch
    plan.push_back({segmentation_run_id(source),
                    {{"stage", "segmentation"}, {"labels", source_name(source)}},
                    slices * profile.segmentation_epochs * step_seconds(profile, 0.055, true)});
  }
  if (stage == "all") {
    for (int r = 1; r <= profile.repetitions; ++r) {
      for (size_t tumorous : profile.tumorous_sizes) {
        for (const Framework framework : kFrameworks) {
          const double images = double(profile.counts.normals + tumorous) * profile.classification_epochs;
          plan.push_back({classification_run_id(framework, r, tumorous),
                          {{"stage", "classification"},
                           {"framework", framework_name(framework)},
                           {"repetition", std::to_string(r)},
                           {"tumorous", std::to_string(tumorous)}},
                          images * (framework == Framework::Scratch ? step_seconds(profile, 0.071, false)
                                                                    : step_seconds(profile, 0.040, true))});
        }
      }
    }
  }
  ExperimentRunner runner(runner_options, plan, fingerprint(profile, t1.sha256, crop_t1.sha256, tumours.set.sha256),
                          report::collect_run_info(argc, argv));
  if (runner_options.plan_only) {
    runner.print_plan();
    return 0;
  }

  if (!runner_options.report_only) {
    std::map<LabelSource, SegmentationData> segmentation_data;  // prepared on first use
    runner.perform([&](RunContext& run_context) {
      const auto& settings = run_context.run().settings;
      Json result;
      if (settings[0].second == "segmentation") {
        const LabelSource source = settings[1].second == "aseg" ? LabelSource::Aseg : LabelSource::KMeans;
        if (!segmentation_data.count(source)) {
          segmentation_data.emplace(source, brain_segmentation_data(t1.volume, aseg, profile.input_size, source));
        }
        result = perform_segmentation(profile, source, segmentation_data.at(source),
                                      source == LabelSource::Aseg ? &crop : nullptr, run_context);
      } else {
        const Framework framework = settings[1].second == "aseg"     ? Framework::Aseg
                                    : settings[1].second == "kmeans" ? Framework::KMeans
                                                                     : Framework::Scratch;
        const int repetition = std::stoi(settings[2].second);
        const ClassificationTask task{tumours, draws.at(size_t(repetition - 1)), framework, repetition,
                                      size_t(std::stoull(settings[3].second))};
        result = perform_classification(profile, task, run_context);
      }
      context.require_no_validation_messages("while performing " + run_context.run().id);
      return result;
    });
  }
  if (runner_options.sharded() || stage != "all") {
    std::printf("%s done; write the report with --report-only once every run has finished\n",
                runner_options.sharded() ? ("shard " + runner_options.shard.text()).c_str() : "stage segmentation");
    return 0;
  }

  const std::vector<papers::FinishedRun> finished = runner.collect();
  ReportInputs inputs{runner.run_info(), ExperimentRunner::provenance(finished), profile, finished,
                      runner.elapsed_seconds(), t1.sha256, tumours.set.sha256};
  write_report(runner_options.out, inputs);
  context.require_no_validation_messages("while writing the report");
  std::printf("report: %s\n", (runner_options.out / "report.md").string().c_str());
  return 0;
}

}  // namespace medrepro::wong

int main(int argc, char** argv) {
  const medrepro::ContextScope device_scope;
  try {
    return medrepro::wong::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nerror: %s\n", e.what());
    return 1;
  }
}
