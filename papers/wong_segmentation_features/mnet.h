#pragma once
// M-Net (Mehta & Sivaswamy 2017) as Wong et al. (2018, Fig. 1) describe it, in 2D
// and 3D: five resolution levels l = 0..4 with n_s * 2^l channels; an encoder of
// two "same" 3^dim convolutions (each with batch norm and ReLU) per level and
// 2^dim max pooling, dropout after the last pooling; a decoder that upsamples
// (nearest, as Keras' UpSampling) and concatenates the encoder level before its
// two convolutions. The left leg max-pools the first convolution's n_s channels
// 1..4 times into encoder levels 1..4 (concatenated); the right leg upsamples
// decoder outputs to full size and concatenates them with the last convolution's
// n_s channels: the features a classifier head reads (2D: the bottom and decoder
// levels 3..1, 31 n_s channels; 3D: decoder levels 2 and 1, 7 n_s), which a 1^dim
// convolution maps to N_s label scores (the softmax is the loss's).
//
// "Skip connections between cascaded convolutional layers" reads two ways, both
// offered: Additive (A), a level's output is the sum of its two convolutions'
// outputs, no parameters; Concatenated (B), the second convolution reads the
// level's input beside the first's output.
#include <cstdint>
#include <vector>

#include "core/nn/module.h"

namespace medrepro::wong {

enum class SkipMode { Additive, Concatenated };

struct MNetOptions {
  int dims = 2;                 // 2 or 3
  int64_t in_channels = 1;
  int64_t base_channels = 16;   // n_s
  int64_t labels = 17;          // N_s
  SkipMode skip = SkipMode::Additive;
  float dropout = 0.5f;
  float batch_norm_momentum = 0.01f;  // Keras' 0.99 in the engine's convention
  float batch_norm_eps = 1e-3f;       // Keras' default
  uint64_t seed = 1;                  // Glorot-uniform weights, zero biases
};

class MNet : public nn::Module {
 public:
  explicit MNet(const MNetOptions& options);
  // Label scores [N, N_s, spatial...]; the spatial extents must be multiples of 16.
  Tensor forward(const Tensor& x) override;
  // The right leg's features [N, feature_channels(), spatial...].
  Tensor features(const Tensor& x);
  int64_t feature_channels() const;
  const MNetOptions& options() const { return options_; }

 private:
  class Level;
  MNetOptions options_;
  std::vector<Level*> encoder_;  // levels 0..4 (4: the bottom)
  std::vector<Level*> decoder_;  // levels 3..0
  nn::Module* dropout_;
  nn::Module* classifier_;
};

// Parameters as Keras counts them: weights, biases and batch norm's four numbers per
// channel (gamma, beta and the two running statistics), for comparison with papers.
int64_t keras_parameter_count(nn::Module& model);

}  // namespace medrepro::wong
