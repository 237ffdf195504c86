#include "papers/common/examples.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace medrepro::papers {
namespace {

bool augments(const datasets::AugmentOptions& o) {
  return o.flip_x > 0 || o.flip_y > 0 || o.rotate90 > 0 || o.rotation.probability > 0 || o.shift.probability > 0 ||
         o.zoom.probability > 0 || o.gamma.probability > 0;
}

// Applies each example's transform to its planes (the last two axes of `shape`).
void augment_batch(const datasets::AugmentOptions& options, uint64_t augment_seed, std::span<const size_t> items,
                   const Shape& shape, std::vector<float>& inputs) {
  if (augment_seed == 0 || !augments(options)) return;
  const int height = int(shape[shape.size() - 2]), width = int(shape[shape.size() - 1]);
  const size_t example_size = size_t(element_count(shape));
  const int planes = int(example_size / (size_t(height) * size_t(width)));
  for (size_t i = 0; i < items.size(); ++i) {
    const datasets::AugmentParams params = augment_params(options, augment_seed, items[i]);
    if (params.any()) datasets::apply_augment(params, inputs.data() + i * example_size, planes, height, width);
  }
}

}  // namespace

datasets::AugmentParams augment_params(const datasets::AugmentOptions& options, uint64_t augment_seed, size_t item) {
  datasets::SplitMix64 rng(augment_seed * 0x9e3779b97f4a7c15ull + uint64_t(item) + 1);
  return datasets::sample_augment(options, rng);
}

ImageExamples::ImageExamples(const datasets::ImageSet& set, datasets::BatchOptions input,
                             datasets::AugmentOptions augment)
    : set_(set), input_(input), augment_(augment) {}

Shape ImageExamples::input_shape() const {
  return {1, input_.height ? input_.height : set_.height, input_.width ? input_.width : set_.width};
}

void ImageExamples::batch(std::span<const size_t> items, uint64_t augment_seed, std::vector<float>& inputs,
                          std::vector<float>& targets) const {
  datasets::make_batch(set_, items, input_, inputs, targets);
  augment_batch(augment_, augment_seed, items, input_shape(), inputs);
}

ArrayExamples::ArrayExamples(Shape shape, std::vector<float> values, std::vector<float> labels, size_t classes,
                             bool multi_label, datasets::AugmentOptions augment)
    : shape_(std::move(shape)),
      classes_(classes),
      multi_label_(multi_label),
      values_(std::move(values)),
      labels_(std::move(labels)),
      augment_(augment) {
  if (shape_.size() < 2) fail("ArrayExamples: an example needs at least two axes (a plane), not " + to_string(shape_));
  example_size_ = size_t(element_count(shape_));
  if (example_size_ == 0 || values_.size() % example_size_ != 0) {
    fail("ArrayExamples: " + std::to_string(values_.size()) + " values do not make whole examples of shape " +
         to_string(shape_));
  }
  count_ = values_.size() / example_size_;
  if (classes_ == 0) fail("ArrayExamples: no classes");
  const size_t width = multi_label_ ? classes_ : 1;
  if (labels_.size() != count_ * width) {
    fail("ArrayExamples: " + std::to_string(labels_.size()) + " labels for " + std::to_string(count_) +
         " examples of " + std::to_string(width) + " target(s)");
  }
  for (float label : labels_) {
    const bool valid = multi_label_ ? (label >= 0.0f && label <= 1.0f)
                                    : (label >= 0.0f && label < float(classes_) && label == std::floor(label));
    if (!valid) fail("ArrayExamples: label " + std::to_string(label) + " is not " +
                     (multi_label_ ? std::string("in [0, 1]") : "a class index below " + std::to_string(classes_)));
  }
}

int ArrayExamples::label(size_t item) const {
  if (multi_label_) fail("ArrayExamples::label: multi-label examples have no single class");
  return int(labels_.at(item));
}

void ArrayExamples::batch(std::span<const size_t> items, uint64_t augment_seed, std::vector<float>& inputs,
                          std::vector<float>& targets) const {
  const size_t width = target_width();
  inputs.resize(items.size() * example_size_);
  targets.resize(items.size() * width);
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] >= count_) fail("ArrayExamples: item " + std::to_string(items[i]) + " of " + std::to_string(count_));
    std::copy_n(values_.begin() + ptrdiff_t(items[i] * example_size_), example_size_,
                inputs.begin() + ptrdiff_t(i * example_size_));
    std::copy_n(labels_.begin() + ptrdiff_t(items[i] * width), width, targets.begin() + ptrdiff_t(i * width));
  }
  augment_batch(augment_, augment_seed, items, shape_, inputs);
}

}  // namespace medrepro::papers
