// The Wong et al. analogue's segmentation data: FreeSurfer aseg ids mapped onto the
// paper's brain structures, checked against the voxel counts of the notes
// (../shared/papers/wong_segmentation_features.md), and slices along three axes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/ops/segmentation_loss.h"
#include "datasets/nifti.h"
#include "papers/common/segmentation_training.h"
#include "papers/wong_segmentation_features/brain_labels.h"
#include "papers/wong_segmentation_features/mnet.h"
#include "papers/wong_segmentation_features/mricrop.h"
#include "papers/wong_segmentation_features/preprocess.h"
#include "papers/wong_segmentation_features/segmentation_stage.h"
#include "papers/wong_segmentation_features/tumour_draws.h"
#include "papers/wong_segmentation_features/tumour_examples.h"

namespace ds = medrepro::datasets;
namespace wong = medrepro::wong;

TEST_CASE("aseg ids map onto the paper's structures; unknown ids are refused") {
  ds::LabelVolume aseg(1, 1, 6);
  aseg.data = {0, 42, 251, 63, 24, 15};
  CHECK(wong::aseg_to_structures(aseg).data == std::vector<uint8_t>{0, 1, 2, 6, 0, 16});
  CHECK(wong::brain_structure_names().size() == size_t(wong::kBrainLabels));
  aseg.data[2] = 99;
  CHECK_THROWS_WITH_AS(wong::aseg_to_structures(aseg), doctest::Contains("aseg label 99"), medrepro::Error);
}

TEST_CASE("slices along the three axes keep the planes the brain fills enough") {
  ds::Volume image(2, 3, 4);
  ds::LabelVolume labels(2, 3, 4);
  for (size_t i = 0; i < image.data.size(); ++i) image.data[i] = float(i);
  labels.at(1, 2, 3) = 5;
  const auto all = wong::brain_slices(image, labels, 0.0);
  CHECK(all.size() == 2 + 3 + 4);
  CHECK(all[1].axis == 0);
  CHECK(all[1].image.height == 3);
  CHECK(all[1].image.width == 4);
  CHECK(all[1].image.at(0, 2, 3) == image.at(1, 2, 3));
  const auto& across_width = all[2 + 3 + 3];  // axis 2 (x), index 3: a depth x height plane
  CHECK(across_width.axis == 2);
  CHECK(across_width.image.height == 2);
  CHECK(across_width.image.width == 3);
  CHECK(across_width.labels.at(0, 1, 2) == 5);
  CHECK(across_width.brain_fraction == doctest::Approx(1.0 / 6));
  CHECK(wong::brain_slices(image, labels, 0.08).size() == 3);  // the planes through (1, 2, 3): 1/12, 1/8, 1/6
  CHECK(wong::brain_slices(image, labels, 0.1).size() == 2);
}

TEST_CASE("the voxelmorph aseg mapped: the notes' voxel counts per structure") {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  const std::filesystem::path folder =
      std::filesystem::path(shared ? shared : "../shared") / "datasets" / "voxelmorph_test_scan";
  if (!std::filesystem::exists(folder / "aseg.nii.gz")) {
    MESSAGE("skipped: " << (folder / "aseg.nii.gz").string() << " not found");
    return;
  }
  const ds::LabelVolume structures = wong::aseg_to_structures(ds::read_nifti_labels(folder / "aseg.nii.gz"));
  std::vector<size_t> counts(wong::kBrainLabels, 0);
  for (uint8_t label : structures.data) ++counts[label];
  const std::vector<size_t> expected{697211, 550836, 131871, 36390, 24909, 26409, 20359, 10492,
                                     15465,  4443,   12443,  4547,  2059,  871,   1085,  1051};
  for (size_t s = 0; s < expected.size(); ++s) {
    CAPTURE(wong::brain_structure_names()[s + 1]);
    CHECK(counts[s + 1] == expected[s]);
  }
  const ds::Volume t1 = ds::read_nifti(folder / "t1.nii.gz").volume;
  const auto slices = wong::brain_slices(t1, structures, 0.02);
  CHECK(slices.size() == 454);  // as the notes count them
}

TEST_CASE("slices are padded to a centred canvas, shrunk in steps of at most 2x and CLAHE-normalised") {
  ds::Volume plane(1, 100, 180);
  ds::LabelVolume labels(1, 100, 180);
  for (int y = 30; y < 70; ++y) {
    for (int x = 70; x < 110; ++x) {
      plane.at(0, y, x) = 200.0f + float(x % 7);
      labels.at(0, y, x) = 3;
    }
  }
  const ds::Volume image = wong::prepare_image(plane, 224, 64);
  CHECK(image.height == 64);
  CHECK(image.width == 64);
  CHECK(*std::min_element(image.data.begin(), image.data.end()) >= 0.0f);
  CHECK(*std::max_element(image.data.begin(), image.data.end()) <= 1.0f);
  CHECK(image.at(0, 32, 32) > image.at(0, 5, 5));  // the bright square, now in the middle
  const ds::LabelVolume small = wong::prepare_labels(labels, 224, 64);
  CHECK(small.at(0, 32, 32) == 3);
  CHECK(small.at(0, 5, 5) == 0);
  const size_t square = size_t(std::count(small.data.begin(), small.data.end(), uint8_t(3)));
  CHECK(square >= 100);  // 40 x 40 pixels at 64 / 224 scale: about 11.4 x 11.4
  CHECK(square <= 169);
  CHECK_THROWS_WITH_AS(wong::prepare_image(ds::Volume(1, 230, 10), 224, 64), doctest::Contains("exceeds the 224 canvas"),
                       medrepro::Error);
}

TEST_CASE("held-out slabs: the centred fifth of each axis's slices, with a gap on both sides") {
  std::vector<wong::BrainSlice> slices;
  for (int i = 0; i < 10; ++i) slices.push_back({0, i, {}, {}, 0.5});
  for (int i = 0; i < 20; ++i) slices.push_back({1, i, {}, {}, 0.5});
  const wong::SlabSplit split = wong::held_out_slabs(slices, 0.2, 2);
  std::vector<int> held, train;
  for (size_t i : split.held_out) held.push_back(slices[i].axis * 100 + slices[i].index);
  for (size_t i : split.train) train.push_back(slices[i].axis * 100 + slices[i].index);
  CHECK(held == std::vector<int>{4, 5, 108, 109, 110, 111});
  CHECK(train == std::vector<int>{0, 1, 8, 9, 100, 101, 102, 103, 104, 105, 114, 115, 116, 117, 118, 119});
}

TEST_CASE("pooled Dice per label over several slices, worked by hand") {
  std::vector<medrepro::papers::SegmentationCase> cases(2);
  cases[0].labels = ds::LabelVolume(1, 1, 4);
  cases[0].labels.data = {0, 1, 1, 2};
  cases[1].labels = ds::LabelVolume(1, 1, 4);
  cases[1].labels.data = {1, 1, 0, 0};
  std::vector<ds::LabelVolume> predicted(2, ds::LabelVolume(1, 1, 4));
  predicted[0].data = {1, 1, 0, 2};  // label 1: tp 1, fp 1, fn 1; label 2: tp 1
  predicted[1].data = {1, 0, 0, 0};  // label 1: tp 1, fn 1
  const auto dice = wong::pooled_dice(cases, {0, 1}, predicted, {"background", "one", "two", "three"});
  REQUIRE(dice.size() == 3);
  CHECK(dice[0].true_voxels == 4);
  CHECK(dice[0].dice == doctest::Approx(2.0 * 2 / (2 * 2 + 1 + 2)));
  CHECK(dice[1].dice == 1.0);
  CHECK(dice[2].true_voxels == 0);
  CHECK(dice[2].dice == 1.0);  // absent and never predicted
}

TEST_CASE("voxelmorph segmentation data, both label sources, and an M-Net trained on it for a few steps") {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  const std::filesystem::path folder =
      std::filesystem::path(shared ? shared : "../shared") / "datasets" / "voxelmorph_test_scan";
  if (!std::filesystem::exists(folder / "aseg.nii.gz")) {
    MESSAGE("skipped: " << folder.string() << " not found");
    return;
  }
  const ds::Volume t1 = ds::read_nifti(folder / "t1.nii.gz").volume;
  const ds::LabelVolume aseg = ds::read_nifti_labels(folder / "aseg.nii.gz");
  const wong::SegmentationData structures = wong::brain_segmentation_data(t1, aseg, 32, wong::LabelSource::Aseg);
  CHECK(structures.cases.size() == 454);
  CHECK(structures.label_names.size() == 17);
  CHECK(structures.split.held_out.size() > 80);
  CHECK(structures.split.train.size() > 300);
  CHECK(structures.split.held_out.size() + structures.split.train.size() < 454);  // the gaps
  const std::vector<float> weights = wong::training_label_weights(structures);
  for (float w : weights) {
    if (w > 0) CHECK(weights[0] <= w);  // background, the most frequent, weighs least; labels too
  }                                     // small to survive 32 x 32 weigh 0

  const wong::SegmentationData clusters = wong::brain_segmentation_data(t1, aseg, 32, wong::LabelSource::KMeans);
  CHECK(clusters.label_names.size() == 5);
  CHECK(std::is_sorted(clusters.cluster_centres.begin(), clusters.cluster_centres.end()));
  CHECK(clusters.cases[10].channels[0].data == structures.cases[10].channels[0].data);  // the same images
  CHECK(*std::max_element(clusters.cases[10].labels.data.begin(), clusters.cases[10].labels.data.end()) <= 4);

  medrepro::wong::MNetOptions options;
  options.base_channels = 2;
  options.labels = 17;
  medrepro::wong::MNet net(options);
  medrepro::papers::SegmentationConfig config;
  config.name = "mnet smoke";
  config.epochs = 2;
  config.classes = 17;
  config.geometry.volumetric = false;
  config.geometry.output = {1, 32, 32};
  config.segments_per_epoch = 16;
  config.validation_segments = 8;
  config.batch_size = 4;
  config.class_weights = weights;
  config.make_optimizer = medrepro::papers::adam_optimizer({});
  const auto result = medrepro::papers::train_segmenter(net, structures.cases, structures.split.train,
                                                        structures.split.held_out, config);
  REQUIRE_FALSE(result.diverged_at_step.has_value());
  std::vector<ds::LabelVolume> predicted;
  for (size_t i : structures.split.held_out) {
    predicted.push_back(medrepro::papers::predict_case(net, structures.cases[i], config.geometry));
  }
  const auto dice = wong::pooled_dice(structures.cases, structures.split.held_out, predicted, structures.label_names);
  CHECK(dice.size() == 16);
  for (const auto& d : dice) {
    CHECK(d.dice >= 0.0);
    CHECK(d.dice <= 1.0);
  }
}

TEST_CASE("tumour task draws: fixed normals, nested tumour pools, the paper's test mix, repeatable per seed") {
  ds::BrainTumorMri data;
  data.set.class_names = {"glioma", "meningioma", "notumor", "pituitary"};
  ds::Split split;
  for (size_t i = 0; i < 800; ++i) {
    data.set.labels.push_back(int(i % 4));
    (i < 600 ? split.train : split.test).push_back(i);
  }
  wong::TumourCounts counts;
  counts.normals = 11;
  counts.largest_tumorous = 40;
  counts.test_normals = 11;
  counts.test_glioma = 30;
  counts.test_meningioma = 20;
  const wong::TumourDraw a = wong::draw_tumour_repetition(data, split, counts, 1);
  const wong::TumourDraw b = wong::draw_tumour_repetition(data, split, counts, 1);
  const wong::TumourDraw c = wong::draw_tumour_repetition(data, split, counts, 2);
  CHECK(a.glioma_pool == b.glioma_pool);
  CHECK(a.test == b.test);
  CHECK(a.glioma_pool != c.glioma_pool);
  CHECK(a.normals.size() == 11);
  CHECK(a.test.size() == 61);
  std::vector<size_t> per_class(3, 0);
  for (size_t item : a.test) {
    CHECK(item >= 600);
    ++per_class[size_t(wong::tumour_class(data, item))];
  }
  CHECK(per_class == std::vector<size_t>{11, 30, 20});
  const auto ten = wong::tumour_training_items(a, 10), forty = wong::tumour_training_items(a, 40);
  CHECK(ten.size() == 21);
  CHECK(forty.size() == 51);
  for (size_t item : ten) CHECK(std::find(forty.begin(), forty.end(), item) != forty.end());  // nested
  for (size_t item : forty) {
    CHECK(item < 600);
    CHECK(wong::tumour_class(data, item) >= 0);
  }
  CHECK_THROWS_WITH_AS(wong::tumour_training_items(a, 42), doctest::Contains("an even number up to 40"),
                       medrepro::Error);
  counts.test_glioma = 51;
  CHECK_THROWS_WITH_AS(wong::draw_tumour_repetition(data, split, counts, 1),
                       doctest::Contains("50 glioma test images, the task needs 51"), medrepro::Error);
}

TEST_CASE("tumour examples: prepared slices with the task's classes; Eq. 2 weights of the smallest training set") {
  ds::BrainTumorMri data;
  data.set.class_names = {"glioma", "meningioma", "notumor", "pituitary"};
  data.set.height = data.set.width = 224;
  for (int i = 0; i < 4; ++i) {
    for (int v = 0; v < 224 * 224; ++v) data.set.pixels.push_back(uint8_t((v * (i + 1)) % 251));
    data.set.labels.push_back(i);
  }
  const auto examples = wong::tumour_examples(data, {2, 0, 1}, 64, wong::paper_augmentation());
  CHECK(examples.size() == 3);
  CHECK(examples.input_shape() == medrepro::Shape{1, 64, 64});
  CHECK(examples.label(0) == 0);  // no tumour
  CHECK(examples.label(1) == 1);  // glioma
  CHECK(examples.label(2) == 2);  // meningioma
  CHECK_THROWS_WITH_AS(wong::tumour_examples(data, {3}, 64), doctest::Contains("not of the task's three classes"),
                       medrepro::Error);
  // The notes: 11 normals and 5 + 5 tumours give class weights 1.38, 2.05, 2.05.
  const std::vector<double> counts{11, 5, 5};
  const std::vector<float> weights = medrepro::wong_label_weights(counts);
  CHECK(weights[0] == doctest::Approx(1.38).epsilon(0.005));
  CHECK(weights[1] == doctest::Approx(2.05).epsilon(0.005));
}

TEST_CASE("MRIcrop turned into the voxelmorph axis order, its labels mapped, scored only inside the crop") {
  // MRIcrop order: depth z inferior->superior, height y anterior->posterior, width x.
  ds::Grid<int> crop(2, 3, 4);
  for (int z = 0; z < 2; ++z) {
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 4; ++x) crop.at(z, y, x) = 100 * z + 10 * y + x;
    }
  }
  const ds::Grid<int> turned = wong::mricrop_to_voxelmorph_axes(crop);
  // voxelmorph order: depth posterior->anterior (y reversed), height superior->inferior (z reversed), width x.
  CHECK(turned.depth == 3);
  CHECK(turned.height == 2);
  CHECK(turned.width == 4);
  CHECK(turned.at(0, 0, 1) == 100 * 1 + 10 * 2 + 1);  // most posterior, most superior
  CHECK(turned.at(2, 1, 3) == 100 * 0 + 10 * 0 + 3);  // most anterior, most inferior

  ds::LabelVolume seg(1, 1, 9);
  seg.data = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(wong::mricrop_to_structures(seg).data == std::vector<uint8_t>{0, 6, 15, 16, 11, 11, 14, 8, 0});
  for (int s : wong::mricrop_structures()) CHECK(s < wong::kBrainLabels);
  seg.data[0] = 9;
  CHECK_THROWS_WITH_AS(wong::mricrop_to_structures(seg), doctest::Contains("MRIcrop label 9"), medrepro::Error);

  ds::Volume t1(30, 40, 50, 1.0f);
  ds::LabelVolume labels(30, 40, 50);
  labels.at(1, 2, 3) = 1;
  const wong::CropSlices slices = wong::mricrop_slices(t1, labels, 32);
  CHECK(slices.cases.size() == 40 + 30 + 50);  // every plane along the three turned axes (depth 40, height 30, width 50)
  for (size_t i = 0; i < slices.cases.size(); ++i) {
    const auto& inside = slices.inside[i].data;
    const size_t count = size_t(std::count(inside.begin(), inside.end(), uint8_t(1)));
    CHECK(count > 0);
    CHECK(count < 32 * 32 / 10);  // at most 50 x 40 mm of a 224 mm canvas
    CHECK(slices.inside[i].at(0, 16, 16) == 1);  // centred
  }
}
