#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Moves a conv3d weight [O, C, KD, KHW] (KHW = KH * KW) between its own layout
// and the GEMM layout of the slab path (core/ops/conv3d.cpp), a matrix with rows
// padded to k_padded, columns in the order of the slabs' rows (kd, channel, tap):
//   mode 0: gemm[o][(kd * C + c) * KHW + t] = weight[o][c][kd][t]
//   mode 1: gemm[c][(kd * O + o) * KHW + t] = weight[o][c][KD - 1 - kd][KHW - 1 - t]
//           (flipped and transposed: the data gradient as a convolution of dy)
//   mode 2: weight[o][c][kd][t] = gemm[o][(kd * C + c) * KHW + t] + beta * weight[o][c][kd][t]
// One invocation per element written, a gather; the GEMM rows' padding is written as 0.
layout(std430, binding = 0) readonly buffer Source { float source[]; };
layout(std430, binding = 1) buffer Target { float target[]; };
layout(push_constant) uniform Push {
  uint out_channels, channels, kernel_d, kernel_taps;  // O, C, KD, KHW
  uint k_padded;
  uint mode;
  float beta;
} p;

void main() {
  const uint index = linear_index();
  if (p.mode == 2u) {
    if (index >= p.out_channels * p.channels * p.kernel_d * p.kernel_taps) return;
    const uint t = index % p.kernel_taps;
    const uint kd = (index / p.kernel_taps) % p.kernel_d;
    const uint c = (index / (p.kernel_taps * p.kernel_d)) % p.channels;
    const uint o = index / (p.kernel_taps * p.kernel_d * p.channels);
    const float value = source[o * p.k_padded + (kd * p.channels + c) * p.kernel_taps + t];
    target[index] = p.beta == 0.0 ? value : value + p.beta * target[index];
    return;
  }
  const uint rows = p.mode == 0u ? p.out_channels : p.channels;
  const uint k = p.kernel_d * (p.mode == 0u ? p.channels : p.out_channels) * p.kernel_taps;
  if (index >= rows * p.k_padded) return;
  const uint row = index / p.k_padded, column = index % p.k_padded;
  if (column >= k) {
    target[index] = 0.0;
    return;
  }
  const uint t = column % p.kernel_taps;
  const uint inner = column / p.kernel_taps;  // kd * (C or O) + c or o
  if (p.mode == 0u) {
    const uint kd = inner / p.channels, c = inner % p.channels;
    target[index] = source[((row * p.channels + c) * p.kernel_d + kd) * p.kernel_taps + t];
  } else {
    const uint kd = inner / p.out_channels, o = inner % p.out_channels;
    target[index] = source[((o * p.channels + row) * p.kernel_d + (p.kernel_d - 1u - kd)) * p.kernel_taps +
                           (p.kernel_taps - 1u - t)];
  }
}
