// Khan & Yong, "A Deep Learning Architecture for Classifying Medical Images of
// Anatomy Object" (APSIPA 2017): Table II and Figures 4-13, reproduced on MedNIST.
//
// Methods, as the paper gives them and as this program follows them:
//   - Four CNNs: LeNet, AlexNet, GoogLeNet and the proposed CNN (models.h).
//   - SGD, learning rate 0.01, momentum 0.9, weight decay 0.0005, 30 epochs.
//   - Five anatomy classes; 100 test images per class; validation on a random
//     20% of the training set.
//   - Figure 13: seven training-set sizes.
// What differs (data, sizes, epochs, ...) is listed in the report's deviations.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "datasets/mednist.h"
#include "datasets/paths.h"
#include "datasets/split.h"
#include "papers/common/files.h"
#include "papers/common/json.h"
#include "papers/common/run_info.h"
#include "papers/khan_yong_anatomy/experiment.h"
#include "papers/khan_yong_anatomy/models.h"
#include "papers/khan_yong_anatomy/report.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
namespace ds = medrepro::datasets;
using medrepro::report::Json;

namespace khan_yong {
namespace {

const char* kUsage =
    "usage: khan_yong_anatomy [--profile smoke|cpu|paper] [--data PATH] [--out DIR] [--device N]\n"
    "                         [--seeds N] [--epochs N] [--models lenet,alexnet,googlenet,proposed]\n"
    "                         [--classes AbdomenCT,BreastMRI,ChestCT,CXR,Hand] [--resume] [--validation]\n"
    "Trains the four CNNs of Khan & Yong (2017) on MedNIST and writes Table II, Figures 4-13 and a report\n"
    "to --out (default: reports/khan_yong_anatomy in the source tree). Default profile: 'paper' on a GPU,\n"
    "'cpu' on a CPU driver. --resume continues an interrupted run from its checkpoints.";

// MedNIST stands in for the paper's NLM set, which is not public: CT, MRI and
// X-ray, with ChestCT and CXR as the same anatomy in two modalities and Hand as
// the bone class. HeadCT is left out to keep the paper's five-way task.
const std::vector<std::string> kDefaultClasses = {"AbdomenCT", "BreastMRI", "ChestCT", "CXR", "Hand"};
const std::vector<std::string> kModels = {"lenet", "alexnet", "googlenet", "proposed"};
constexpr uint64_t kDataSeed = 2017;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Log-spaced sizes per class from 5 to `largest`, `count` of them, distinct.
std::vector<size_t> curve_sizes(size_t largest, int count) {
  std::vector<size_t> sizes;
  const double low = std::log(5.0), high = std::log(double(std::max<size_t>(largest, 5)));
  for (int i = 0; i < count; ++i) {
    const double t = count > 1 ? double(i) / (count - 1) : 1.0;
    const auto size = static_cast<size_t>(std::lround(std::exp(low + t * (high - low))));
    if (sizes.empty() || size > sizes.back()) sizes.push_back(size);
  }
  sizes.back() = largest;
  return sizes;
}

// Each class's training pool in a fixed random order: the pool of size s per
// class is its first s items, so smaller training sets nest inside larger ones.
// Of each pool, the first 20% (rounded) are the validation images.
struct Pools {
  std::vector<std::vector<size_t>> per_class;  // shuffled
  std::vector<size_t> per_class_limit;         // how many each class contributes at the largest size
};

Pools make_pools(const ds::ImageSet& set, const std::vector<size_t>& pool_items, const Profile& profile) {
  const size_t classes = set.class_names.size();
  Pools pools;
  pools.per_class.resize(classes);
  for (size_t item : pool_items) pools.per_class[size_t(set.labels[item])].push_back(item);
  ds::SplitMix64 rng(kDataSeed);
  for (auto& items : pools.per_class) ds::shuffle(items, rng);
  size_t smallest = SIZE_MAX;
  for (const auto& items : pools.per_class) smallest = std::min(smallest, items.size());
  pools.per_class_limit.assign(classes, profile.pool_per_class ? std::min(profile.pool_per_class, smallest) : smallest);
  if (profile.pool_total) {
    // Spread the total as evenly as the classes allow (the paper: 37,198 over five anatomies).
    size_t total = 0;
    for (size_t c = 0; c < classes; ++c) {
      pools.per_class_limit[c] = std::min(pools.per_class[c].size(), profile.pool_total / classes);
      total += pools.per_class_limit[c];
    }
    for (size_t c = 0; total < profile.pool_total && c < classes; ++c) {
      if (pools.per_class_limit[c] < pools.per_class[c].size()) ++pools.per_class_limit[c], ++total;
    }
  }
  return pools;
}

struct SizedSplit {
  size_t per_class = 0, pool = 0;
  std::vector<size_t> train, val;
};

// `fraction` of the largest pool of each class (1 = the largest).
SizedSplit sized_split(const Pools& pools, size_t per_class, bool largest) {
  SizedSplit split;
  split.per_class = per_class;
  for (size_t c = 0; c < pools.per_class.size(); ++c) {
    const size_t take = largest ? pools.per_class_limit[c] : std::min(per_class, pools.per_class_limit[c]);
    const auto val = static_cast<size_t>(std::lround(0.2 * double(take)));
    for (size_t i = 0; i < take; ++i) (i < val ? split.val : split.train).push_back(pools.per_class[c][i]);
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  split.pool = split.train.size() + split.val.size();
  return split;
}

int epochs_for(const Profile& profile, size_t train_size) {
  const size_t batches = (train_size + profile.batch_size - 1) / profile.batch_size;
  const auto for_steps = static_cast<int>((size_t(profile.min_steps) + batches - 1) / std::max<size_t>(batches, 1));
  return std::max(profile.epochs, for_steps);
}

// Input normalisation as in the Caffe/DIGITS reference nets: LeNet sees pixels
// scaled to [0, 1]; the others see raw 0..255 pixels minus the training mean.
ds::BatchOptions input_for(const std::string& model, int size, double training_mean) {
  if (model == "lenet") return {size, size, 0.0f, 1.0f};
  return {size, size, static_cast<float>(training_mean), 1.0f / 255.0f};
}

double mean_pixel(const ds::ImageSet& set, const std::vector<size_t>& items) {
  double sum = 0;
  for (size_t item : items) {
    const uint8_t* image = set.image(item);
    for (size_t i = 0; i < set.image_bytes(); ++i) sum += image[i];
  }
  return sum / (255.0 * double(items.size()) * double(set.image_bytes()));
}

}  // namespace

int run(int argc, char** argv) {
  medrepro::Args args(argc, argv, kUsage);
  const std::string profile_name = args.text("profile", "");
  const std::string data = args.text("data", ds::default_data_dir().string());
  const fs::path out = args.text("out", std::string(MEDREPRO_SOURCE_DIR) + "/reports/khan_yong_anatomy");
  const long long seeds_option = args.integer("seeds", 0);
  const long long epochs_option = args.integer("epochs", 0);
  const std::vector<std::string> models = split_list(args.text("models", "lenet,alexnet,googlenet,proposed"));
  const std::vector<std::string> classes = split_list(args.text("classes", ""));
  const bool resume = args.flag("resume");
  const medrepro::DeviceOptions device_options = args.device_options();
  args.finish();
  for (const std::string& m : models) {
    if (std::find(kModels.begin(), kModels.end(), m) == kModels.end()) {
      medrepro::fail("Unknown model '" + m + "' in --models: choose from lenet, alexnet, googlenet, proposed");
    }
  }

  medrepro::Context& context = medrepro::Context::open(device_options);
  const auto& device = context.info();
  Profile profile;
  if (profile_name == "smoke") profile = smoke_profile();
  else if (profile_name == "cpu") profile = cpu_profile();
  else if (profile_name == "paper") profile = paper_profile();
  else if (profile_name.empty()) profile = device.type == "CPU" ? cpu_profile() : paper_profile();
  else medrepro::fail("Unknown profile '" + profile_name + "': choose smoke, cpu or paper");
  if (!profile_name.empty()) profile.why = "requested with --profile " + profile_name + " (" + profile.why + ")";
  if (seeds_option > 0) profile.seeds = static_cast<int>(seeds_option);
  if (epochs_option > 0) profile.epochs = static_cast<int>(epochs_option);
  std::printf("device: %s (%s, %s)\nprofile: %s, because %s\n", device.name.c_str(), device.type.c_str(),
              device.driver_version.c_str(), profile.name.c_str(), profile.why.c_str());
  const medrepro::report::RunInfo run_info = medrepro::report::collect_run_info(argc, argv);
  const auto started = std::chrono::steady_clock::now();

  // Data: MedNIST, five classes, duplicates kept on one side of every split.
  const ds::ImageSet set = ds::load_mednist(data, {classes.empty() ? kDefaultClasses : classes, 0});
  const auto duplicates = ds::find_duplicate_groups(set.content_hashes);
  const ds::Split test_split =
      ds::stratified_split(set.labels, duplicates, {kDataSeed, profile.test_per_class, 0.0, true});
  const Pools pools = make_pools(set, test_split.train, profile);
  const std::vector<size_t> sizes = curve_sizes(pools.per_class_limit.front(), profile.curve_sizes);
  std::printf("data: %s (sha256 %s), %zu images, %zu duplicate groups; test %zu; largest pool %zu per class\n",
              set.source.string().c_str(), set.sha256.c_str(), set.size(), duplicates.size(), test_split.test.size(),
              pools.per_class_limit.front());

  // A fresh run leaves nothing of an earlier one in the report's folders.
  for (const char* folder : {"runs", "checkpoints", "figures", "predictions"}) {
    fs::create_directories(out / folder);
    if (resume) continue;
    for (const auto& entry : fs::directory_iterator(out / folder)) fs::remove(entry.path());
  }
  ds::Split saved = test_split;
  saved.tag = "MedNIST sha256=" + set.sha256;
  ds::save_split(out / "test_split.txt", saved);

  // Training: every model, every seed, every training-set size, largest first
  // (the largest is Table II's run).
  std::vector<Run> runs;
  std::set<std::string> with_figures;  // conv1 figures come from the first seed whose Table II run trained
  for (const std::string& model : models) {
    const int input_size = input_size_for(profile, model);
    for (int seed = 1; seed <= profile.seeds; ++seed) {
      for (size_t s = sizes.size(); s-- > 0;) {
        const bool table_run = s + 1 == sizes.size();
        const SizedSplit split = sized_split(pools, sizes[s], table_run);
        const std::string id = model + "_seed" + std::to_string(seed) + "_pool" + std::to_string(split.pool);
        const fs::path cached = out / "runs" / (id + ".json");
        if (resume && fs::exists(cached)) {
          runs.push_back(run_from_json(Json::load(cached.string())));
          if (table_run && !runs.back().result.diverged_at_step) with_figures.insert(model);
          continue;
        }
        Run run;
        run.model = model;
        run.seed = seed;
        run.pool_size = split.pool;
        run.train_size = split.train.size();
        run.val_size = split.val.size();
        run.epochs = epochs_for(profile, split.train.size());
        medrepro::papers::TrainingConfig config;
        config.name = id;
        config.epochs = run.epochs;
        config.batch_size = profile.batch_size;
        config.sgd = {0.01f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe};
        config.seed = uint64_t(seed);
        config.input = input_for(model, input_size, mean_pixel(set, split.train));
        config.checkpoint_path = (out / "checkpoints" / (id + ".ckpt")).string();
        config.checkpoint_interval_seconds = 60;  // an interruption loses at most about a minute of training
        auto network = make_model(model, input_size, static_cast<int>(set.class_names.size()), uint64_t(seed) * 1000);
        run.result = medrepro::papers::train_classifier(*network, set, split.train, split.val, test_split.test, config);
        if (run.result.diverged_at_step) {
          std::printf("%-32s diverged at step %lld: excluded from the means, listed in the report\n", id.c_str(),
                      static_cast<long long>(*run.result.diverged_at_step));
        } else {
          std::printf("%-32s %3d epochs  %7.1f s  val acc %6.2f%%  test acc %6.2f%%\n", id.c_str(), run.epochs,
                      run.result.train_seconds, run.result.epochs.back().val_accuracy, run.result.test.accuracy);
        }
        std::fflush(stdout);
        context.require_no_validation_messages("while training " + id);
        if (table_run && !run.result.diverged_at_step && with_figures.insert(model).second) {
          write_model_figures(out, model, *network, set, test_split.test, config.input);
        }
        run_to_json(run, table_run).save(cached.string());
        fs::remove(config.checkpoint_path);
        runs.push_back(std::move(run));
      }
    }
  }

  ReportInputs inputs{run_info, profile, set, test_split, sizes, models, runs,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
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
