#pragma once
// The experiment of Khan & Yong: what is trained, on what, for how long, and
// what comes out of each training run.
#include <string>
#include <vector>

#include "papers/common/classifier_training.h"
#include "papers/common/json.h"
#include "papers/khan_yong_anatomy/models.h"

namespace khan_yong {

struct Profile {
  std::string name;
  std::string why;             // printed and reported: why this profile was chosen
  int input_size = 0;          // 0: each model's native size (LeNet 28, AlexNet and proposed 227, GoogLeNet 224)
  int epochs = 30;
  int min_steps = 0;           // small training sets get more epochs, up to this many SGD steps
  size_t pool_per_class = 0;   // training + validation images per class at the largest size; 0 = all
  size_t pool_total = 0;       // if set, the largest pool is cut to exactly this many images (paper: 37,198)
  size_t test_per_class = 100;
  int curve_sizes = 7;         // Figure 13: training-set sizes, log-spaced from 5 per class to the largest
  int seeds = 3;
  size_t batch_size = 0;       // 0: each network's DIGITS default (batch_size_for)
  size_t batch_cap = 0;        // with batch_size 0: DIGITS' default, but at most this many (0: no cap)
};

Profile smoke_profile();
Profile cpu_profile();
Profile paper_profile();
int input_size_for(const Profile& profile, const std::string& model);
// The profile's batch size, or the training batch of DIGITS' standard network
// (LeNet 64, AlexNet 100, GoogLeNet 24; the proposed CNN, built from AlexNet, 100)
// up to the profile's cap.
size_t batch_size_for(const Profile& profile, const std::string& model);
// "64" or "DIGITS' defaults (LeNet 64, ...)" (capped: "..., at most 32: LeNet 32, ..."), for the report.
std::string describe_batch_sizes(const Profile& profile);

// One model trained once: one seed, one training-set size.
struct Run {
  std::string model;
  Reading reading = Reading::Digits;
  int seed = 0;
  size_t pool_size = 0;  // training + validation images
  size_t train_size = 0, val_size = 0;
  int epochs = 0;
  size_t batch_size = 0;
  medrepro::papers::TrainingResult result;
};

// "lenet_seed2_pool50" (Digits reading), "lenet_seed2_pool50_unit_he": the
// run's id in the plan and the name of its files.
std::string run_id(const std::string& model, Reading reading, int seed, size_t pool_size);

medrepro::report::Json run_to_json(const Run& run, bool with_predictions);
Run run_from_json(const medrepro::report::Json& json);

}  // namespace khan_yong
