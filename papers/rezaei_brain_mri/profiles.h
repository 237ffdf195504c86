#pragma once
// How much of Rezaei et al.'s classification study a run performs: input size,
// network widths, training images, epochs and seeds, chosen per device (printed
// and reported with the reason).
#include <cstddef>
#include <string>

namespace rezaei {

struct Profile {
  std::string name;
  std::string why;               // printed and reported
  int input_size = 64;           // square network input
  double width_scale = 1.0;      // of every convolution's channels (1: the notes' 96..384)
  int fc_width = 4096;           // the three fully connected layers
  size_t train_per_class = 0;    // training images per class (0: all that remain beside validation)
  size_t val_per_class = 0;      // validation images per class (0 with train_per_class 0: 10% of each class)
  size_t images_per_class = 0;   // of the data to load, per class and official part (0: all)
  int epochs = 30;
  size_t batch_size = 32;
  int seeds = 2;
  int cv_folds = 5;              // cross-validation of the wavelet baselines' hyper-parameters
};

Profile smoke_profile();
Profile cpu_profile();
Profile paper_profile();
// By name ("smoke", "cpu", "paper"), or, with an empty name, by the device: "cpu" on a CPU driver.
Profile choose_profile(const std::string& name, bool cpu_device);

}  // namespace rezaei
