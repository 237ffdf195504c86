#pragma once
// Rows that time a whole training step of Khan & Yong's CNNs: forward (with
// GoogLeNet's auxiliary heads), the weighted losses, backward and an SGD update
// with momentum and weight decay, exactly as papers/common/classifier_training
// runs it, on a batch that stays on the device; and of Wong et al.'s M-Net
// segmentation, 2-D and 3-D.
#include <cstdint>
#include <string>

#include "tests/bench/row.h"

namespace medrepro::bench {

// The seed of every model the benchmark builds (its weights; the peer's torch.manual_seed).
constexpr uint64_t kModelSeed = 1;
// Output classes of those models: the five anatomy classes of the Khan & Yong reproduction.
constexpr int kClasses = 5;

Row training_step_row(const std::string& model, int input_size, int64_t batch, const Budget& budget);

// Labels of the M-Net segmentation steps: Wong et al.'s 16 brain structures and background.
constexpr int kSegmentationLabels = 17;
// One step of Wong et al.'s M-Net (papers/wong_segmentation_features/mnet.h, skip
// reading A) learning to segment: forward, per-voxel cross-entropy, backward, Adam.
Row segmentation_step_row(int dims, int size, int64_t base_channels, int64_t batch, const Budget& budget);

// The size a model is trained at on the paper profile (papers/khan_yong_anatomy/profiles.cpp).
int native_input_size(const std::string& model);

}  // namespace medrepro::bench
