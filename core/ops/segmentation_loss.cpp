#include "core/ops/segmentation_loss.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches shaders/weighted_cross_entropy_nd.comp.
struct VoxelPush {
  uint32_t voxels, channels, inner;
};

// Matches shaders/weighted_cross_entropy_nd_reduce.comp.
struct ReducePush {
  uint32_t voxels, normalise, chunk;
};

// Matches shaders/weighted_cross_entropy_nd_backward.comp.
struct BackwardPush {
  uint32_t count, channels, inner;
  float beta;
};

// The batch sum runs in one workgroup with two shared floats per lane.
uint32_t reduction_workgroup_size() {
  const DeviceLimits& limits = Context::get().limits();
  return std::min({256u, limits.max_workgroup_invocations, limits.max_workgroup_size[0],
                   limits.max_shared_memory_bytes / uint32_t(2 * sizeof(float))});
}

void check_shapes(const Tensor& logits, const Tensor& labels, const Tensor& class_weights) {
  if (logits.rank() < 2) {
    fail("weighted_cross_entropy_nd: logits must have rank >= 2 ([N, C, ...]), got shape " +
         to_string(logits.shape()));
  }
  Shape expected = logits.shape();
  expected.erase(expected.begin() + 1);
  if (labels.shape() != expected) {
    fail("weighted_cross_entropy_nd: labels " + to_string(labels.shape()) + " do not match logits " +
         to_string(logits.shape()) + " (expected " + to_string(expected) + ")");
  }
  if (logits.numel() == 0) fail("weighted_cross_entropy_nd: empty logits " + to_string(logits.shape()));
  if (class_weights.defined() && class_weights.shape() != Shape{logits.dim(1)}) {
    fail("weighted_cross_entropy_nd: class_weights " + to_string(class_weights.shape()) + " do not match logits " +
         to_string(logits.shape()) + " (expected [" + std::to_string(logits.dim(1)) + "])");
  }
}

// loss = sum(voxel_loss) / sum(voxel_weight) (normalise) or sum(voxel_loss), and the
// denominator. Voxels past one workgroup's loop budget are summed in chunks,
// whose sums are reduced again as voxels (fixed order, the same bits on every run).
void reduce_voxels(const Tensor& voxel_loss, const Tensor& voxel_weight, uint32_t voxels, uint32_t normalise,
                   const Tensor& loss, const Tensor& denominator) {
  const uint32_t lanes = reduction_workgroup_size();
  const uint64_t trees = 2 * (tree_steps(lanes) + 1);
  const uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(voxels, items_per_workgroup(lanes, trees)));
  const uint32_t chunks = ceil_div(voxels, chunk);
  bound_loop_iterations("weighted_cross_entropy_nd_reduce", (uint64_t(chunk) + lanes - 1) / lanes + trees,
                        "a mean over " + std::to_string(voxels) + " voxels");
  if (chunks == 1) {
    launch_grid("weighted_cross_entropy_nd_reduce",
                {voxel_loss.read(), voxel_weight.read(), loss.write(), denominator.write()},
                ReducePush{voxels, normalise, chunk}, {lanes, 1, 1}, {1, 1, 1});
    return;
  }
  const Tensor chunk_loss = Tensor::empty({int64_t(chunks)}), chunk_weight = Tensor::empty({int64_t(chunks)});
  launch_grid("weighted_cross_entropy_nd_reduce",
              {voxel_loss.read(), voxel_weight.read(), chunk_loss.write(), chunk_weight.write()},
              ReducePush{voxels, normalise, chunk}, {lanes, 1, 1}, {chunks, 1, 1});
  reduce_voxels(chunk_loss, chunk_weight, chunks, normalise, loss, denominator);
}

}  // namespace

Tensor weighted_cross_entropy_nd(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                                 SegmentationReduction reduction) {
  check_shapes(logits, labels, class_weights);
  const uint32_t count = count32(logits, "weighted_cross_entropy_nd");
  const uint32_t voxels = static_cast<uint32_t>(labels.numel());
  const uint32_t channels = static_cast<uint32_t>(logits.dim(1));
  const uint32_t inner = voxels / static_cast<uint32_t>(logits.dim(0));
  // Unit weights make the weighted mean the plain mean over voxels.
  const Tensor weights = class_weights.defined() ? class_weights.detach() : Tensor::full({logits.dim(1)}, 1.0f);

  const Tensor voxel_stats = Tensor::empty({int64_t(voxels), 2});  // (max, log-sum-exp - max)
  const Tensor voxel_loss = Tensor::empty({int64_t(voxels)});
  const Tensor voxel_weight = Tensor::empty({int64_t(voxels)});
  const Tensor denominator = Tensor::empty({1});
  Tensor loss = Tensor::empty({1});
  bound_loop_iterations("weighted_cross_entropy_nd", 2 * uint64_t(channels), std::to_string(channels) + " classes");
  launch_linear("weighted_cross_entropy_nd",
                {logits.read(), labels.read(), weights.read(), voxel_stats.write(), voxel_loss.write(),
                 voxel_weight.write()},
                VoxelPush{voxels, channels, inner}, voxels);
  reduce_voxels(voxel_loss, voxel_weight, voxels, reduction == SegmentationReduction::WeightedMean ? 1u : 0u, loss,
                denominator);

  record(loss, "weighted_cross_entropy_nd", {logits},
         [x = logits.detach(), y = labels.detach(), weights, voxel_stats, denominator, count, channels, inner](
             const Tensor& grad, GradientSink& sink) {
           GradTarget target = sink.target(0);
           launch_linear("weighted_cross_entropy_nd_backward",
                         {x.read(), y.read(), weights.read(), voxel_stats.read(), denominator.read(), grad.read(),
                          target.grad.write()},
                         BackwardPush{count, channels, inner, target.beta}, count);
         });
  return loss;
}

std::vector<float> wong_label_weights(std::span<const double> counts) {
  double total = 0;
  for (double f : counts) {
    if (!(f >= 0) || !std::isfinite(f)) fail("wong_label_weights: label counts must be finite and >= 0");
    total += f;
  }
  std::vector<float> weights;
  weights.reserve(counts.size());
  for (double f : counts) weights.push_back(f > 0 ? static_cast<float>(std::sqrt(total / f)) : 0.0f);
  return weights;
}

std::vector<double> label_counts(std::span<const float> labels, int64_t classes) {
  if (classes < 1) fail("label_counts: need at least one class, got " + std::to_string(classes));
  std::vector<double> counts(static_cast<size_t>(classes), 0.0);
  for (float label : labels) {
    if (!(label >= 0.0f && label < float(classes) && label == std::floor(label))) {
      fail("label_counts: label " + std::to_string(label) + " is not an integer in [0, " + std::to_string(classes) +
           ")");
    }
    counts[static_cast<size_t>(label)] += 1;
  }
  return counts;
}

}  // namespace medrepro
