#pragma once
// Rows that time single kernels: the device's FP32 peak and copy bandwidth,
// GEMM, conv2d's and conv3d's three passes at the models' shapes, an LSTM.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/model_convs.h"
#include "tests/bench/row.h"

namespace medrepro::bench {

std::vector<Row> peak_rows(const Budget& budget);
// NN, TN and NT (the layouts linear and conv2d backward use) at size^3.
std::vector<Row> gemm_rows(const std::vector<int64_t>& sizes, const Budget& budget);
// Forward, backward-data and backward-weight of each layer.
std::vector<Row> conv2d_rows(const std::vector<ConvLayer>& layers, int64_t batch, const Budget& budget);
// An LSTM layer and Pereira's BiLSTM head over a sequence, forward and backward through time.
std::vector<Row> lstm_rows(const Budget& budget);
// Batch norm in training, forward and backward, at 2-D and 3-D activation shapes (GB/s of the least traffic).
std::vector<Row> batch_norm_rows(const Budget& budget);
// A 3-D convolution layer of a volumetric paper's model, at its training size.
struct VolumeLayer {
  std::string model;   // "deepmedic", "mnet3d", "bench"
  std::string layer;   // "conv1", "level1", ...
  int input_size = 0;  // of the model's input (DeepMedic: the segment)
  Shape input;         // [N, C, D, H, W]
  Shape weight;        // [O, C, KD, KH, KW]; stride 1
  int64_t pad = 0;

  Shape output() const;
  double flops() const;  // of each of forward, backward-data and backward-weight
  std::string describe() const;
};
std::vector<VolumeLayer> volume_layers();
// Forward, backward-data and backward-weight of each layer.
std::vector<Row> conv3d_rows(const std::vector<VolumeLayer>& layers, const Budget& budget);

}  // namespace medrepro::bench
