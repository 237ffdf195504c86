#include "papers/rezaei_brain_mri/profiles.h"

#include "core/error.h"

namespace rezaei {

// The whole pipeline on a few images, for the test suite: numbers meaningless.
Profile smoke_profile() {
  Profile p;
  p.name = "smoke";
  p.why = "a few images and one epoch to check the pipeline end to end, numbers meaningless";
  p.width_scale = 0.125;
  p.fc_width = 64;
  p.train_per_class = 8;
  p.val_per_class = 4;
  p.images_per_class = 24;
  p.epochs = 1;
  p.batch_size = 16;
  p.seeds = 1;
  p.cv_folds = 2;
  return p;
}

// What a 2-core CPU under lavapipe finishes in its share of 45 minutes: 64x64
// inputs, half the notes' convolution widths, fully connected layers of 1024,
// 120 training and 30 validation images per class, 2 seeds; the whole
// deduplicated test set.
Profile cpu_profile() {
  Profile p;
  p.name = "cpu";
  p.why = "the device is a CPU driver: 64x64 inputs, half widths, fc 1024, 120 training images per class, 2 seeds";
  p.width_scale = 0.5;
  p.fc_width = 1024;
  p.train_per_class = 120;
  p.val_per_class = 30;
  p.epochs = 12;
  p.seeds = 2;
  return p;
}

// The notes' GPU plan at 227x227 and full widths, every training image, 3 seeds.
Profile paper_profile() {
  Profile p;
  p.name = "paper";
  p.why = "the device is a GPU: 227x227 inputs, full widths, every training image, 3 seeds";
  p.input_size = 227;
  p.epochs = 60;
  p.batch_size = 64;
  p.seeds = 3;
  return p;
}

Profile choose_profile(const std::string& name, bool cpu_device) {
  Profile profile;
  if (name == "smoke") profile = smoke_profile();
  else if (name == "cpu") profile = cpu_profile();
  else if (name == "paper") profile = paper_profile();
  else if (name.empty()) return cpu_device ? cpu_profile() : paper_profile();
  else medrepro::fail("Unknown profile '" + name + "': choose smoke, cpu or paper");
  profile.why = "requested with --profile " + name + " (" + profile.why + ")";
  return profile;
}

}  // namespace rezaei
