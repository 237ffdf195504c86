#pragma once
// From uint8 images to float training batches, with optional bilinear resizing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "datasets/image.h"

namespace medrepro::datasets {

// Bilinear resampling, align_corners=false convention (the one of PyTorch's
// F.interpolate(mode="bilinear", align_corners=False, antialias=False) and
// OpenCV's INTER_LINEAR): pixel centres are at integer + 0.5, so output pixel
// x reads the source at sx = (x + 0.5) * in / out - 0.5, clamped to
// [0, in - 1], blending source pixels floor(sx) and floor(sx) + 1 (the last
// pixel repeats at the border) with weights 1 - f and f, f = sx - floor(sx);
// the same along y. Same size in and out is the identity. No antialiasing:
// shrinking by more than 2x samples only the 2x2 nearest pixels, as PyTorch
// does without antialias=True.
void resize_bilinear(const float* source, int source_height, int source_width, float* destination, int height,
                     int width);
void resize_bilinear(const uint8_t* source, int source_height, int source_width, float* destination, int height,
                     int width);  // output in 0..255

// Bilinear resizing that shrinks in steps of at most 2x along each axis (each
// step the convention above), so that every source pixel contributes to the
// result: what resize_bilinear alone skips when shrinking more than 2x.
// Enlarging, or shrinking by 2x or less, is one resize_bilinear.
std::vector<float> resize_bilinear_in_steps(const float* source, int source_height, int source_width, int height,
                                            int width);

// Source pixels and weight of each output position along one axis, for
// linear resampling with the align_corners=false convention described above.
struct LinearTap {
  int first;
  int second;
  float weight;  // of `second`
};
std::vector<LinearTap> linear_taps(int in, int out);

struct BatchOptions {
  int height = 0;      // output size; 0 = the images' own size
  int width = 0;
  float mean = 0.0f;   // value = (pixel / 255 - mean) / std
  float std = 1.0f;
};

// images: [B, 1, H, W] row-major, labels: [B] (the integer label as float),
// for the items `indices` of `set`, in that order. The vectors are resized.
void make_batch(const ImageSet& set, std::span<const size_t> indices, const BatchOptions& options,
                std::vector<float>& images, std::vector<float>& labels);

}  // namespace medrepro::datasets
