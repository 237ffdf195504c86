#pragma once
// Contrast-limited adaptive histogram equalisation (Zuiderveld, Graphics Gems IV,
// 1994), the preprocessing of Wong et al. (2018), who used scikit-image's
// equalize_adapthist with its defaults: 8 x 8 contextual regions, clip limit 0.01,
// 256 bins. The algorithm, as implemented here:
//  1. intensities are rescaled to [0, 1] by the image's minimum and maximum and
//     binned into `bins` equal bins;
//  2. the plane is cut into tiles_y x tiles_x contextual regions (boundaries at
//     round(i * extent / tiles), so every pixel belongs to one);
//  3. each region's histogram is clipped at max(1, clip_limit * region pixels)
//     counts and the clipped excess spread evenly over all bins (once, as
//     scikit-image does up to its integer rounding);
//  4. each region maps bin b to its clipped cumulative histogram up to and
//     including b, divided by the region's pixels: a value in (0, 1];
//  5. a pixel's output interpolates bilinearly between the maps of the four
//     regions whose centres surround it (two or one at the borders, where the
//     nearest regions' maps are used), evaluated at the pixel's bin.
// The output lies in [0, 1]. It follows scikit-image's parameters, not its code:
// outputs differ from equalize_adapthist in the third decimal (scikit-image pads the
// image and bins at 14-bit precision first). A constant plane maps to 1 everywhere.
#include <cstddef>

#include "datasets/volume.h"

namespace medrepro::datasets {

struct ClaheOptions {
  int tiles_y = 8, tiles_x = 8;  // contextual regions along height and width
  double clip_limit = 0.01;      // share of a region's pixels one bin may hold; >= 1: no clipping
  int bins = 256;
};

// One plane (height x width, row-major) in place.
void clahe_plane(float* pixels, int height, int width, const ClaheOptions& options = {});

// Every slice of a volume in place, each on its own (slice-wise CLAHE).
void clahe_slices(Volume& volume, const ClaheOptions& options = {});

}  // namespace medrepro::datasets
