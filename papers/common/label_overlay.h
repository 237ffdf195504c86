#pragma once
// Segmentation labels over greyscale slices (MRI, CT) as PNG: each panel is a
// slice windowed to its own percentiles, labels blended in at `alpha` in
// colours told apart with every kind of colour vision (Okabe & Ito), with
// opaque outlines so that a label stays visible where the blend is faint.
// Panels (e.g. image, ground truth, prediction) are laid side by side.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medrepro::report {

struct OverlayPanel {
  int height = 0, width = 0;
  std::vector<float> image;  // height * width, row-major, any intensity scale
  std::vector<int> labels;   // height * width, 0 = background; empty: the slice alone
};

struct OverlayOptions {
  float alpha = 0.45f;          // weight of a label's colour over the slice
  bool outlines = true;         // each label's border drawn opaque, one output pixel wide
  double low_percentile = 1;    // window: these percentiles of the slice map to black and white
  double high_percentile = 99;
  int zoom = 2;                 // nearest-neighbour enlargement
  int gap = 4;                  // white pixels between panels
};

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height * width * 3
  std::array<uint8_t, 3> at(int x, int y) const;
};

// Label 1 orange, 2 sky blue, 3 bluish green, 4 yellow, 5 blue, 6 vermillion,
// 7 reddish purple, then again from orange.
std::array<uint8_t, 3> label_colour(int label);
std::string label_colour_name(int label);  // "orange", for a Markdown legend

RgbImage render_label_overlays(const std::vector<OverlayPanel>& panels, const OverlayOptions& options = {});
void write_label_overlay_png(const std::string& path, const std::vector<OverlayPanel>& panels,
                             const OverlayOptions& options = {});

}  // namespace medrepro::report
