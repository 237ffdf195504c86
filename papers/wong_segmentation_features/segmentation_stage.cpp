#include "papers/wong_segmentation_features/segmentation_stage.h"

#include "core/error.h"
#include "core/ops/segmentation_loss.h"
#include "datasets/kmeans.h"
#include "papers/common/region_metrics.h"

namespace medrepro::wong {

SegmentationData brain_segmentation_data(const datasets::Volume& t1, const datasets::LabelVolume& aseg, int size,
                                         LabelSource source) {
  const std::vector<BrainSlice> slices = brain_slices(t1, aseg_to_structures(aseg), 0.02);
  SegmentationData data;
  data.split = held_out_slabs(slices, 0.2, 2);
  for (const BrainSlice& slice : slices) {
    papers::SegmentationCase c;
    c.id = "axis" + std::to_string(slice.axis) + "_slice" + std::to_string(slice.index);
    c.channels.push_back(prepare_image(slice.image, kSliceCanvas, size));
    c.labels = prepare_labels(slice.labels, kSliceCanvas, size);
    data.cases.push_back(std::move(c));
  }
  if (source == LabelSource::Aseg) {
    data.label_names = brain_structure_names();
    return data;
  }
  std::vector<float> training_pixels;
  for (size_t i : data.split.train) {
    const auto& pixels = data.cases[i].channels[0].data;
    training_pixels.insert(training_pixels.end(), pixels.begin(), pixels.end());
  }
  data.cluster_centres = datasets::kmeans_1d(training_pixels, kThresholdClusters).centres;
  for (papers::SegmentationCase& c : data.cases) {
    c.labels.data = datasets::cluster_labels(c.channels[0].data, data.cluster_centres);
  }
  for (int k = 0; k < kThresholdClusters; ++k) data.label_names.push_back("cluster " + std::to_string(k));
  return data;
}

std::vector<float> training_label_weights(const SegmentationData& data) {
  std::vector<double> counts(data.label_names.size(), 0.0);
  for (size_t i : data.split.train) {
    for (uint8_t label : data.cases[i].labels.data) counts.at(label) += 1;
  }
  return wong_label_weights(counts);
}

std::vector<LabelDice> pooled_dice(const std::vector<papers::SegmentationCase>& cases, const std::vector<size_t>& which,
                                   const std::vector<datasets::LabelVolume>& predicted,
                                   const std::vector<std::string>& label_names) {
  if (predicted.size() != which.size()) fail("pooled_dice: one prediction per case needed");
  std::vector<LabelDice> out;
  for (size_t label = 1; label < label_names.size(); ++label) {
    size_t tp = 0, fp = 0, fn = 0, tn = 0;
    for (size_t n = 0; n < which.size(); ++n) {
      const auto& truth = cases.at(which[n]).labels.data;
      const auto& guess = predicted[n].data;
      if (guess.size() != truth.size()) fail("pooled_dice: a prediction differs in size from its case");
      for (size_t v = 0; v < truth.size(); ++v) {
        const bool t = truth[v] == label, p = guess[v] == label;
        tp += t && p;
        fp += !t && p;
        fn += t && !p;
        tn += !t && !p;
      }
    }
    out.push_back({label_names[label], tp + fn, metrics::region_scores_from_counts(tp, fp, fn, tn).dice});
  }
  return out;
}

}  // namespace medrepro::wong
