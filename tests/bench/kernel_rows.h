#pragma once
// Rows that time single kernels: the device's FP32 peak and copy bandwidth,
// GEMM, conv2d's three passes at the models' shapes, an LSTM and a conv3d.
#include <cstdint>
#include <vector>

#include "tests/bench/model_convs.h"
#include "tests/bench/row.h"

namespace medrepro::bench {

std::vector<Row> peak_rows(const Budget& budget);
// NN, TN and NT (the layouts linear and conv2d backward use) at size^3.
std::vector<Row> gemm_rows(const std::vector<int64_t>& sizes, const Budget& budget);
// Forward, backward-data and backward-weight of each layer.
std::vector<Row> conv2d_rows(const std::vector<ConvLayer>& layers, int64_t batch, const Budget& budget);
// One LSTM layer over a sequence, forward and backward through time.
Row lstm_row(const Budget& budget);
// A 3x3x3 convolution on a 32^3 volume, forward, and forward + both backward passes.
std::vector<Row> conv3d_rows(const Budget& budget);

}  // namespace medrepro::bench
