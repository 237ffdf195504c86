// The bins of RoI max pooling (shaders/roi_max_pool*.comp), as torchvision's
// roi_pool computes them: corners scaled to the feature map and rounded half away
// from zero, at least 1 x 1, split into pooled_h x pooled_w bins of
// floor(p * size / pooled) .. ceil((p + 1) * size / pooled), clipped to the map.
// A RoI whose batch index is not one of the input's images has only empty bins.
layout(push_constant) uniform Push {
  uint count;
  uint rois, batch, channels, height, width;
  uint pooled_h, pooled_w;
  float spatial_scale;
  float beta;  // roi_max_pool_backward: 0 overwrites dx, 1 adds to it
} p;

struct RoiBox {
  bool valid;  // its batch index names an image of the input
  uint batch;
  int start_h, start_w;
  float bin_h, bin_w;
};

int round_half_away(float v) { return int(sign(v) * floor(abs(v) + 0.5)); }

RoiBox roi_box(uint r) {
  const uint base = r * 5u;
  const int start_w = round_half_away(rois[base + 1u] * p.spatial_scale);
  const int start_h = round_half_away(rois[base + 2u] * p.spatial_scale);
  const int end_w = round_half_away(rois[base + 3u] * p.spatial_scale);
  const int end_h = round_half_away(rois[base + 4u] * p.spatial_scale);
  const float roi_h = float(max(end_h - start_h + 1, 1)), roi_w = float(max(end_w - start_w + 1, 1));
  const float batch = rois[base];
  const bool valid = batch >= 0.0 && batch < float(p.batch) && batch == floor(batch);
  return RoiBox(valid, valid ? uint(batch) : 0u, start_h, start_w, roi_h / float(p.pooled_h),
                roi_w / float(p.pooled_w));
}

// [first, end) of bin `index` along an axis of `size` cells.
ivec2 bin_range(uint index, int start, float bin, uint size) {
  const int first = int(floor(float(index) * bin)) + start, end = int(ceil(float(index + 1u) * bin)) + start;
  return ivec2(clamp(first, 0, int(size)), clamp(end, 0, int(size)));
}
