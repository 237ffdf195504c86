#include "papers/wong_segmentation_features/experiment.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/checkpoint.h"
#include "core/error.h"
#include "core/ops/segmentation_loss.h"
#include "papers/common/classification_metrics.h"
#include "papers/common/classifier_training.h"
#include "papers/common/segmentation_training.h"
#include "papers/wong_segmentation_features/classifiers.h"
#include "papers/wong_segmentation_features/tumour_examples.h"

namespace medrepro::wong {

using report::Json;

std::string framework_name(Framework framework) {
  switch (framework) {
    case Framework::Aseg: return "aseg";
    case Framework::KMeans: return "kmeans";
    case Framework::Scratch: return "scratch";
  }
  return "";
}

std::string framework_title(Framework framework) {
  switch (framework) {
    case Framework::Aseg: return "ASEG features (the paper's MANUAL)";
    case Framework::KMeans: return "KMEANS features (the paper's THRESHOLD)";
    case Framework::Scratch: return "SCRATCH";
  }
  return "";
}

std::string source_name(LabelSource source) { return source == LabelSource::Aseg ? "aseg" : "kmeans"; }

std::string segmentation_run_id(LabelSource source) { return "segment_" + source_name(source); }

std::string classification_run_id(Framework framework, int repetition, size_t tumorous) {
  return "classify_" + framework_name(framework) + "_rep" + std::to_string(repetition) + "_n" + std::to_string(tumorous);
}

MNetOptions mnet_options(const Profile& profile, LabelSource source, uint64_t seed) {
  MNetOptions options;
  options.dims = 2;
  options.base_channels = profile.segmentation_channels;
  options.labels = source == LabelSource::Aseg ? kBrainLabels : kThresholdClusters;
  options.skip = SkipMode::Additive;
  options.seed = seed;
  return options;
}

namespace {

// Positions in `which` of the case with the most labelled pixels in each
// orientation (case ids hold "axis<k>_").
std::vector<size_t> overlay_positions(const std::vector<papers::SegmentationCase>& cases,
                                      const std::vector<size_t>& which) {
  std::vector<size_t> chosen;
  for (int axis = 0; axis < 3; ++axis) {
    const std::string tag = "axis" + std::to_string(axis) + "_";
    size_t best = which.size(), most = 0;
    for (size_t p = 0; p < which.size(); ++p) {
      const papers::SegmentationCase& c = cases[which[p]];
      if (c.id.find(tag) == std::string::npos) continue;
      const size_t labelled = c.labels.data.size() - size_t(std::count(c.labels.data.begin(), c.labels.data.end(), 0));
      if (best == which.size() || labelled > most) best = p, most = labelled;
    }
    if (best < which.size()) chosen.push_back(best);
  }
  return chosen;
}

Json label_json(const datasets::LabelVolume& labels) {
  return Json::array_of(std::vector<int>(labels.data.begin(), labels.data.end()));
}

// Slices with their labels and the network's, for the report's overlays.
Json overlay_json(const std::vector<papers::SegmentationCase>& cases, const std::vector<size_t>& which,
                  const std::vector<datasets::LabelVolume>& predicted) {
  Json overlays = Json::Array{};
  for (size_t p : overlay_positions(cases, which)) {
    const papers::SegmentationCase& c = cases[which[p]];
    overlays.push(Json()
                      .set("case", c.id)
                      .set("size", c.channels[0].width)
                      .set("image", Json::array_of(c.channels[0].data))
                      .set("labels", label_json(c.labels))
                      .set("predicted", label_json(predicted[p])));
  }
  return overlays;
}

Json dice_json(const std::vector<LabelDice>& dice) {
  Json out = Json::Array{};
  for (const LabelDice& d : dice) {
    out.push(Json().set("label", d.name).set("true_voxels", uint64_t(d.true_voxels)).set("dice", d.dice));
  }
  return out;
}

// Dice of the crop's six structures, pixels inside the crop pooled over its slices.
Json independent_dice(MNet& network, const CropSlices& crop, const papers::SegmentGeometry& geometry,
                      const std::vector<std::string>& label_names, Json& overlays) {
  std::vector<datasets::LabelVolume> predicted;
  std::vector<size_t> all;
  for (size_t i = 0; i < crop.cases.size(); ++i) {
    datasets::LabelVolume labels = papers::predict_case(network, crop.cases[i], geometry);
    for (size_t v = 0; v < labels.data.size(); ++v) {
      if (!crop.inside[i].data[v]) labels.data[v] = 0;  // outside the crop nothing is labelled
    }
    predicted.push_back(std::move(labels));
    all.push_back(i);
  }
  std::vector<LabelDice> scored;
  for (const LabelDice& d : pooled_dice(crop.cases, all, predicted, label_names)) {
    for (int structure : mricrop_structures()) {
      if (d.name == label_names[size_t(structure)]) scored.push_back(d);
    }
  }
  overlays = overlay_json(crop.cases, all, predicted);
  return dice_json(scored);
}

}  // namespace

Json perform_segmentation(const Profile& profile, LabelSource source, const SegmentationData& data,
                          const CropSlices* independent, papers::RunContext& context) {
  MNet network(mnet_options(profile, source));
  papers::SegmentationConfig config;
  config.name = context.run().id;
  config.epochs = profile.segmentation_epochs;
  config.classes = data.label_names.size();
  config.geometry.volumetric = false;
  config.geometry.output = {1, profile.input_size, profile.input_size};  // whole slices
  config.segments_per_epoch = data.split.train.size();
  config.validation_segments = data.split.held_out.size();
  config.batch_size = profile.segmentation_batch;
  config.make_optimizer = papers::adam_optimizer({1e-3f});
  config.class_weights = training_label_weights(data);
  config.augment = paper_augmentation();
  config.seed = 1;
  config.checkpoint_path = context.checkpoint_path();
  config.checkpoint_interval_seconds = 60;
  config.plan_progress = [&](double fraction) { return context.plan_progress(fraction); };
  const papers::SegmentationResult result =
      papers::train_segmenter(network, data.cases, data.split.train, data.split.held_out, config);

  Json json;
  json.set("kind", "segmentation").set("source", source_name(source));
  json.set("train_slices", uint64_t(data.split.train.size())).set("held_out_slices", uint64_t(data.split.held_out.size()));
  json.set("parameters", keras_parameter_count(network)).set("feature_channels", network.feature_channels());
  json.set("train_seconds", result.train_seconds).set("resumed", result.resumed);
  json.set("per_epoch", papers::epoch_records_to_json(result.epochs));
  json.set("label_weights", Json::array_of(training_label_weights(data)));
  if (result.diverged_at_step) {
    return json.set("diverged_at_step", *result.diverged_at_step).set("divergence", result.divergence);
  }
  save_checkpoint((context.artefact_dir() / kMNetFile).string(), capture_training_state(network, nullptr));

  std::vector<datasets::LabelVolume> predicted;
  for (size_t i : data.split.held_out) {
    predicted.push_back(papers::predict_case(network, data.cases[i], config.geometry));
  }
  json.set("held_out_dice", dice_json(pooled_dice(data.cases, data.split.held_out, predicted, data.label_names)));
  json.set("overlays", overlay_json(data.cases, data.split.held_out, predicted));
  if (independent) {
    Json overlays;
    json.set("mricrop_dice", independent_dice(network, *independent, config.geometry, data.label_names, overlays));
    json.set("mricrop_overlays", overlays);
  }
  return json;
}

Json perform_classification(const Profile& profile, const ClassificationTask& task, papers::RunContext& context) {
  const std::vector<size_t> train_items = tumour_training_items(task.draw, task.tumorous);
  // One example set: the training images (augmented while training) and then the test images.
  std::vector<size_t> items = train_items;
  items.insert(items.end(), task.draw.test.begin(), task.draw.test.end());
  const papers::ArrayExamples examples = tumour_examples(task.data, items, profile.input_size, paper_augmentation());
  std::vector<size_t> train(train_items.size()), test(task.draw.test.size());
  for (size_t i = 0; i < train.size(); ++i) train[i] = i;
  for (size_t i = 0; i < test.size(); ++i) test[i] = train.size() + i;

  // Weights, batch order and augmentation: the same for every framework (paired).
  const uint64_t seed = uint64_t(task.repetition) * 1000 + task.tumorous;
  const int size = profile.input_size;
  std::unique_ptr<papers::Classifier> model;
  if (task.framework == Framework::Scratch) {
    ScratchOptions options;
    options.input_extent = {size, size};
    options.conv_channels = 16;
    options.fc_units = 200;
    options.classes = kTumourClasses;
    options.seed = seed;
    model = std::make_unique<Scratch>(options);
  } else {
    const LabelSource source = task.framework == Framework::Aseg ? LabelSource::Aseg : LabelSource::KMeans;
    const std::filesystem::path network_path = context.artefact_dir_of(segmentation_run_id(source)) / kMNetFile;
    if (!std::filesystem::exists(network_path)) {
      fail(context.run().id + " reads the M-Net of run " + segmentation_run_id(source) + ", which is not at " +
           network_path.string() + ": perform the segmentation runs first (--stage segmentation), then the rest with "
           "--resume");
    }
    auto segmenter = std::make_unique<MNet>(mnet_options(profile, source));
    restore_training_state(load_checkpoint(network_path.string()), *segmenter, nullptr);
    HeadOptions head;
    head.in_channels = segmenter->feature_channels();
    head.input_extent = {size, size};
    head.conv_channels = 32;
    head.repeats = 4;
    head.fc_units = 200;
    head.classes = kTumourClasses;
    head.seed = seed;
    model = std::make_unique<FeatureClassifier>(std::move(segmenter), head);
  }

  std::vector<double> class_counts(kTumourClasses, 0.0);
  for (size_t i : train) class_counts[size_t(examples.label(i))] += 1;
  papers::TrainingConfig config;
  config.name = context.run().id;
  config.epochs = profile.classification_epochs;
  config.batch_size = profile.classification_batch;
  config.fold_single_example_batch = true;  // 11 normals + 10 tumours = 5 x 4 + 1
  config.evaluation_batch_size = 32;
  config.make_optimizer = papers::adam_optimizer({1e-4f});
  config.class_weights = wong_label_weights(class_counts);
  config.seed = seed;
  config.checkpoint_path = context.checkpoint_path();
  config.checkpoint_interval_seconds = 60;
  config.plan_progress = [&](double fraction) { return context.plan_progress(fraction); };
  const papers::TrainingResult result = papers::train_classifier(*model, examples, train, {}, test, config);

  Json json;
  json.set("kind", "classification").set("framework", framework_name(task.framework));
  json.set("repetition", task.repetition).set("tumorous", uint64_t(task.tumorous));
  json.set("train_size", uint64_t(train.size())).set("test_size", uint64_t(test.size()));
  json.set("trained_parameters", [&] {
    int64_t count = 0;
    for (nn::Parameter* p : model->trainable_parameters()) count += p->value.numel();
    return count;
  }());
  json.set("train_seconds", result.train_seconds).set("resumed", result.resumed);
  json.set("per_epoch", papers::epoch_records_to_json(result.epochs));
  if (result.diverged_at_step) {
    return json.set("diverged_at_step", *result.diverged_at_step).set("divergence", result.divergence);
  }
  std::vector<int> truth, predicted;
  for (const papers::Prediction& p : result.test.predictions) {
    truth.push_back(p.truth);
    predicted.push_back(p.predicted);
  }
  const metrics::ConfusionMatrix matrix(truth, predicted, kTumourClasses);
  Json confusion = Json::Array{};
  std::vector<double> f1;
  for (int t = 0; t < kTumourClasses; ++t) {
    std::vector<uint64_t> row;
    for (int p = 0; p < kTumourClasses; ++p) row.push_back(matrix.count(t, p));
    confusion.push(Json::array_of(row));
  }
  for (const metrics::ClassScores& s : metrics::per_class_scores(matrix)) f1.push_back(100.0 * s.f1);
  json.set("confusion", confusion);
  json.set("accuracy", metrics::accuracy(matrix).value * 100.0);
  json.set("kappa", metrics::cohen_kappa(matrix).kappa);
  json.set("f1", Json::array_of(f1));
  std::printf("%-28s %3zu training images  accuracy %5.1f%%  kappa %.3f\n", context.run().id.c_str(), train.size(),
              metrics::accuracy(matrix).value * 100.0, metrics::cohen_kappa(matrix).kappa);
  std::fflush(stdout);
  return json;
}

}  // namespace medrepro::wong
