#include "papers/wong_segmentation_features/tumour_examples.h"

#include "core/error.h"
#include "papers/wong_segmentation_features/preprocess.h"
#include "papers/wong_segmentation_features/tumour_draws.h"

namespace medrepro::wong {

datasets::AugmentOptions paper_augmentation() {
  datasets::AugmentOptions options;
  options.rotation = {1.0, -15.0, 15.0};
  options.shift = {1.0, -0.1, 0.1};
  options.zoom = {1.0, 0.9, 1.1};
  options.flip_x = 1.0;
  options.one_of = 0.6;
  return options;
}

papers::ArrayExamples tumour_examples(const datasets::BrainTumorMri& data, const std::vector<size_t>& items, int size,
                                      const datasets::AugmentOptions& augment) {
  const datasets::ImageSet& set = data.set;
  std::vector<float> values, labels;
  values.reserve(items.size() * size_t(size) * size_t(size));
  for (size_t item : items) {
    const int label = tumour_class(data, item);
    if (label < 0) fail("tumour_examples: item " + std::to_string(item) + " is not of the task's three classes");
    datasets::Volume plane(1, set.height, set.width);
    const uint8_t* pixels = set.pixels.data() + item * plane.size();
    for (size_t i = 0; i < plane.size(); ++i) plane.data[i] = float(pixels[i]);
    const datasets::Volume prepared = prepare_image(plane, kSliceCanvas, size);
    values.insert(values.end(), prepared.data.begin(), prepared.data.end());
    labels.push_back(float(label));
  }
  return papers::ArrayExamples({1, size, size}, std::move(values), std::move(labels), kTumourClasses, false, augment);
}

}  // namespace medrepro::wong
