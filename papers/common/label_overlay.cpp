#include "papers/common/label_overlay.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "papers/common/png_file.h"
#include "papers/common/stats.h"

namespace medrepro::report {
namespace {

struct NamedColour {
  std::array<uint8_t, 3> rgb;
  const char* name;
};
// Okabe & Ito without black (lost on dark MRI background).
const NamedColour kLabelColours[] = {{{230, 159, 0}, "orange"},      {{86, 180, 233}, "sky blue"},
                                     {{0, 158, 115}, "bluish green"}, {{240, 228, 66}, "yellow"},
                                     {{0, 114, 178}, "blue"},         {{213, 94, 0}, "vermillion"},
                                     {{204, 121, 167}, "reddish purple"}};

const NamedColour& colour_of(int label) {
  if (label <= 0) fail("label_colour: label " + std::to_string(label) + " is background");
  return kLabelColours[size_t(label - 1) % std::size(kLabelColours)];
}

void check(const OverlayPanel& panel, size_t index) {
  const size_t pixels = size_t(std::max(0, panel.height)) * size_t(std::max(0, panel.width));
  if (pixels == 0 || panel.image.size() != pixels || (!panel.labels.empty() && panel.labels.size() != pixels)) {
    fail("Label overlay panel " + std::to_string(index) + ": " + std::to_string(panel.image.size()) +
         " values and " + std::to_string(panel.labels.size()) + " labels for " + std::to_string(panel.height) + "x" +
         std::to_string(panel.width));
  }
}

// The slice mapped to 0..255 between two of its percentiles, so that a few
// bright voxels (vessels, fat) do not turn the rest of the slice dark.
std::vector<uint8_t> window(const std::vector<float>& image, const OverlayOptions& options) {
  std::vector<double> sorted(image.begin(), image.end());
  std::sort(sorted.begin(), sorted.end());
  const double low = quantile(sorted, options.low_percentile / 100);
  const double high = quantile(sorted, options.high_percentile / 100);
  const double range = high - low > 1e-12 ? high - low : 1.0;
  std::vector<uint8_t> out(image.size());
  for (size_t i = 0; i < image.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::lround(std::clamp((double(image[i]) - low) / range, 0.0, 1.0) * 255.0));
  }
  return out;
}

}  // namespace

std::array<uint8_t, 3> RgbImage::at(int x, int y) const {
  const size_t i = (size_t(y) * size_t(width) + size_t(x)) * 3;
  return {pixels[i], pixels[i + 1], pixels[i + 2]};
}

std::array<uint8_t, 3> label_colour(int label) { return colour_of(label).rgb; }
std::string label_colour_name(int label) { return colour_of(label).name; }

RgbImage render_label_overlays(const std::vector<OverlayPanel>& panels, const OverlayOptions& options) {
  if (panels.empty() || options.zoom <= 0 || options.gap < 0) fail("render_label_overlays: nothing to draw");
  const int zoom = options.zoom;
  RgbImage out;
  for (size_t p = 0; p < panels.size(); ++p) {
    check(panels[p], p);
    out.width += panels[p].width * zoom + (p > 0 ? options.gap : 0);
    out.height = std::max(out.height, panels[p].height * zoom);
  }
  out.pixels.assign(size_t(out.width) * size_t(out.height) * 3, 255);
  const float alpha = std::clamp(options.alpha, 0.0f, 1.0f);
  int left = 0;
  for (const OverlayPanel& panel : panels) {
    const std::vector<uint8_t> grey = window(panel.image, options);
    const int w = panel.width * zoom, h = panel.height * zoom;
    auto label_at = [&](int x, int y) {
      if (panel.labels.empty() || x < 0 || y < 0 || x >= w || y >= h) return 0;
      return panel.labels[size_t(y / zoom) * size_t(panel.width) + size_t(x / zoom)];
    };
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const uint8_t g = grey[size_t(y / zoom) * size_t(panel.width) + size_t(x / zoom)];
        std::array<uint8_t, 3> rgb = {g, g, g};
        const int label = label_at(x, y);
        if (label > 0) {
          const bool border = label_at(x - 1, y) != label || label_at(x + 1, y) != label ||
                              label_at(x, y - 1) != label || label_at(x, y + 1) != label;
          const float weight = options.outlines && border ? 1.0f : alpha;
          const std::array<uint8_t, 3> colour = label_colour(label);
          for (size_t c = 0; c < 3; ++c) {
            rgb[c] = static_cast<uint8_t>(std::lround((1 - weight) * float(g) + weight * float(colour[c])));
          }
        }
        const size_t at = (size_t(y) * size_t(out.width) + size_t(left + x)) * 3;
        std::copy(rgb.begin(), rgb.end(), out.pixels.begin() + long(at));
      }
    }
    left += w + options.gap;
  }
  return out;
}

void write_label_overlay_png(const std::string& path, const std::vector<OverlayPanel>& panels,
                             const OverlayOptions& options) {
  const RgbImage image = render_label_overlays(panels, options);
  write_png(path, image.width, image.height, 3, image.pixels);
}

}  // namespace medrepro::report
