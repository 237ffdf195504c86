#pragma once
// What a training loop reads: numbered examples, each an input array of a fixed
// shape and its target, assembled into batches on the host. One interface for the
// input pipelines the papers need: 2D grey images (an ImageSet), and arrays of any
// shape held in memory: multi-channel images [C, H, W], slice sequences
// [T, C, H, W], volumes [C, D, H, W], patches.
//
// Targets: a class index per example (target_width 1), or `classes` binary labels
// per example (multi-label, target_width == classes).
//
// Augmentation, when a batch is drawn for training, is seeded by (augment_seed,
// item): the same example gets the same transform in a resumed run, and another
// one in another epoch when the caller mixes the epoch into the seed. Every 2D
// plane of an example gets the same transform (datasets/augment.h).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "datasets/augment.h"
#include "datasets/batch.h"
#include "datasets/image.h"

namespace medrepro::papers {

class Examples {
 public:
  virtual ~Examples() = default;
  virtual size_t size() const = 0;
  virtual Shape input_shape() const = 0;  // one example's, without the batch axis
  virtual size_t classes() const = 0;     // the model's output width
  virtual size_t target_width() const { return 1; }
  bool multi_label() const { return target_width() > 1; }
  // The class index of an example (single-label), for reports and predictions.
  virtual int label(size_t item) const = 0;
  // inputs: [items.size(), ...input_shape]; targets: [items.size() * target_width].
  // augment_seed 0: no augmentation (validation, test).
  virtual void batch(std::span<const size_t> items, uint64_t augment_seed, std::vector<float>& inputs,
                     std::vector<float>& targets) const = 0;
};

// The 2D grey images of an ImageSet at the network's input size and normalisation
// (datasets::make_batch), optionally augmented after normalisation.
class ImageExamples : public Examples {
 public:
  ImageExamples(const datasets::ImageSet& set, datasets::BatchOptions input, datasets::AugmentOptions augment = {});
  size_t size() const override { return set_.labels.size(); }
  Shape input_shape() const override;
  size_t classes() const override { return set_.class_names.size(); }
  int label(size_t item) const override { return set_.labels.at(item); }
  void batch(std::span<const size_t> items, uint64_t augment_seed, std::vector<float>& inputs,
             std::vector<float>& targets) const override;

 private:
  const datasets::ImageSet& set_;
  datasets::BatchOptions input_;
  datasets::AugmentOptions augment_;
};

// Examples held as one float array [N, ...shape] with their targets. The last two axes
// of `shape` are the planes augmentation transforms (every other axis shares the transform).
class ArrayExamples : public Examples {
 public:
  // labels: N class indices below `classes`, or N * classes binary labels (multi_label).
  ArrayExamples(Shape shape, std::vector<float> values, std::vector<float> labels, size_t classes,
                bool multi_label = false, datasets::AugmentOptions augment = {});
  size_t size() const override { return count_; }
  Shape input_shape() const override { return shape_; }
  size_t classes() const override { return classes_; }
  size_t target_width() const override { return multi_label_ ? classes_ : 1; }
  int label(size_t item) const override;
  void batch(std::span<const size_t> items, uint64_t augment_seed, std::vector<float>& inputs,
             std::vector<float>& targets) const override;

 private:
  Shape shape_;
  size_t count_ = 0, example_size_ = 0, classes_ = 0;
  bool multi_label_ = false;
  std::vector<float> values_, labels_;
  datasets::AugmentOptions augment_;
};

// The transform of one example in a training batch: drawn from (augment_seed, item).
datasets::AugmentParams augment_params(const datasets::AugmentOptions& options, uint64_t augment_seed, size_t item);

}  // namespace medrepro::papers
