#pragma once
// Seeded data augmentation. Parameters are drawn once per item from a
// SplitMix64 stream (split.h: the same numbers on every platform) and applied
// identically to every slice of a volume and to its label map: the geometric
// part is an in-plane affine map (flips, quarter turns, a small rotation,
// a zoom and a shift about the plane's centre) sampled bilinearly for images
// and by nearest neighbour for labels; gamma acts on image intensities only.
//
// Coordinates: x to the right (width), y down (height); a positive angle turns
// the picture clockwise as displayed. Flips and quarter turns of a square plane
// move pixels exactly (no interpolation); a quarter turn of a non-square plane
// rotates about its centre within the same canvas.
#include <cstdint>

#include "datasets/split.h"
#include "datasets/volume.h"

namespace medrepro::datasets {

struct AugmentRange {
  double probability = 0.0;   // chance of applying the transform
  double low = 0.0, high = 0.0;  // the parameter is uniform in [low, high]
};

struct AugmentOptions {
  double flip_x = 0.0;      // probability of a left-right mirror
  double flip_y = 0.0;      // probability of an up-down mirror
  double rotate90 = 0.0;    // probability of a quarter turn by 90, 180 or 270 degrees (uniform)
  AugmentRange rotation;    // degrees
  AugmentRange shift;       // fraction of the width and of the height, each drawn separately
  AugmentRange zoom;        // scale factor (> 1 enlarges the content)
  AugmentRange gamma;       // exponent, on intensities rescaled to [0, 1] by the volume's min and max
  // Wong et al.'s scheme: if > 0, with this probability apply exactly ONE of the
  // transforms above whose probability is > 0, chosen uniformly (the individual
  // probabilities then only say which are enabled); otherwise none. 0 = each
  // transform is drawn independently with its own probability.
  double one_of = 0.0;
  float fill = 0.0f;        // image value where a geometric transform reads outside the input (labels get 0)
};

struct AugmentParams {
  bool flip_x = false, flip_y = false;
  int quarter_turns = 0;    // 0..3, clockwise
  double angle = 0.0;       // degrees, clockwise
  double shift_x = 0.0, shift_y = 0.0;  // fractions of width / height
  double zoom = 1.0;
  double gamma = 1.0;
  float fill = 0.0f;

  bool geometric() const;   // false if the geometric part is the identity
  bool any() const { return geometric() || gamma != 1.0; }
};

// Draws the parameters for one item. The number of random draws depends only on
// the options and on which transforms fire, so a seed fixes the result.
AugmentParams sample_augment(const AugmentOptions& options, SplitMix64& rng);

// In place on every slice (depth x height x width, C order).
void apply_augment(const AugmentParams& params, float* voxels, int depth, int height, int width);
void apply_augment(const AugmentParams& params, uint8_t* labels, int depth, int height, int width);
void apply_augment(const AugmentParams& params, Volume& volume);
void apply_augment(const AugmentParams& params, LabelVolume& labels);

}  // namespace medrepro::datasets
