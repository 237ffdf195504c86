#pragma once
// How much of the Wong et al. protocol a run performs: input size, M-Net width,
// epochs, training-set sizes and repetitions, chosen per device (print which and
// why, as every paper executable does).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "papers/wong_segmentation_features/tumour_draws.h"

namespace medrepro::wong {

struct Profile {
  std::string name;
  std::string why;  // printed and reported
  int input_size = 64;                 // slices and tumour images, size x size (a multiple of 32)
  int64_t segmentation_channels = 16;  // n_s
  int segmentation_epochs = 100;
  size_t segmentation_batch = 5;
  int classification_epochs = 50;
  size_t classification_batch = 4;
  std::vector<size_t> tumorous_sizes;  // training tumours per set, half glioma and half meningioma
  int repetitions = 5;
  TumourCounts counts;                 // normals and the test mix
  size_t images_per_class = 0;         // of the tumour data to load (0: all), for the smoke profile
};

Profile smoke_profile();
Profile cpu_profile();
Profile paper_profile();
// By name ("smoke", "cpu", "paper"), or, with an empty name, by the device: "cpu" on a CPU driver.
Profile choose_profile(const std::string& name, bool cpu_device);

}  // namespace medrepro::wong
