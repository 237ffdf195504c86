#include "datasets/medmnist.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "datasets/npz.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {

size_t MedMnistSet::item_size() const {
  size_t n = 1;
  for (size_t d : item_shape) n *= d;
  return n;
}

const MedMnistPart& MedMnistSet::part(const std::string& name) const {
  if (name == "train") return train;
  if (name == "val") return val;
  if (name == "test") return test;
  fail(dataset + ": no part '" + name + "' (train, val, test)");
}

void MedMnistSet::item(const MedMnistPart& which, size_t index, float* destination) const {
  if (!which.loaded) fail(dataset + ": the " + which.name + " part was not loaded");
  if (index >= which.count) {
    fail(dataset + ": item " + std::to_string(index) + " out of range for " + std::to_string(which.count) + " " +
         which.name + " items");
  }
  const size_t n = item_size();
  if (which.images.dtype == DType::uint8) {
    const uint8_t* p = which.images.bytes.data() + index * n;
    for (size_t i = 0; i < n; ++i) destination[i] = float(p[i]);
  } else {
    std::memcpy(destination, which.images.bytes.data() + index * n * sizeof(float), n * sizeof(float));
  }
}

Volume MedMnistSet::volume(const MedMnistPart& which, size_t index) const {
  if (!volumetric) fail(dataset + ": items are 2D images, not volumes");
  Volume volume(static_cast<int>(item_shape[0]), static_cast<int>(item_shape[1]), static_cast<int>(item_shape[2]));
  item(which, index, volume.data.data());
  return volume;
}

std::vector<size_t> MedMnistSet::class_counts(const MedMnistPart& which) const {
  if (label_columns != 1) fail(dataset + ": class counts need single-column labels");
  std::vector<size_t> counts;
  for (int label : which.labels) {
    if (size_t(label) >= counts.size()) counts.resize(size_t(label) + 1, 0);
    ++counts[size_t(label)];
  }
  return counts;
}

MedMnistSet load_medmnist(const std::filesystem::path& npz, const MedMnistOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(npz, ec)) {
    fail("MedMNIST: " + npz.string() +
         " not found; the MedMNIST v2 .npz files are on Zenodo (https://zenodo.org/records/10519652), "
         "AdrenalMNIST3D is in the project's shared/datasets folder");
  }
  MedMnistSet set;
  set.dataset = npz.stem().string();
  set.source = npz;
  set.sha256 = sha256_file_hex(npz);
  ZipArchive archive(npz);
  const std::string file = archive.name();
  bool have_shape = false;
  for (auto [part, wanted] : {std::pair<MedMnistPart*, bool>{&set.train, options.train},
                              {&set.val, options.val},
                              {&set.test, options.test}}) {
    part->name = part == &set.train ? "train" : part == &set.val ? "val" : "test";
    if (!wanted) continue;
    part->images = read_npz_array(archive, part->name + "_images");
    const NpyArray labels = read_npz_array(archive, part->name + "_labels");
    const std::string images_key = file + ": " + part->name + "_images";
    const std::string labels_key = file + ": " + part->name + "_labels";
    if (part->images.dtype != DType::uint8 && part->images.dtype != DType::float32) {
      fail(images_key + " has dtype " + dtype_name(part->images.dtype) + "; MedMNIST images are uint8 (or float32)");
    }
    const std::vector<size_t>& shape = part->images.shape;
    if (shape.size() < 3 || shape.size() > 4) {
      fail(images_key + " has shape " + part->images.shape_text() + "; expected (N, H, W), (N, H, W, 3) or (N, D, H, W)");
    }
    const std::vector<size_t> item_shape(shape.begin() + 1, shape.end());
    if (!have_shape) {
      set.item_shape = item_shape;
      set.volumetric = item_shape.size() == 3 && item_shape[2] != 3;
      set.channels = item_shape.size() == 3 && item_shape[2] == 3 ? 3 : 1;
      set.label_columns = labels.shape.size() == 2 ? labels.shape[1] : 1;
      have_shape = true;
    } else if (item_shape != set.item_shape) {
      fail(images_key + " has shape " + part->images.shape_text() + ", whose items differ from those of the other parts");
    }
    part->count = shape[0];
    const size_t columns = labels.shape.size() == 2 ? labels.shape[1] : 1;
    if (labels.shape.empty() || labels.shape.size() > 2 || labels.shape[0] != part->count ||
        columns != set.label_columns || columns == 0) {
      fail(labels_key + " has shape " + labels.shape_text() + "; expected (" + std::to_string(part->count) + ", " +
           std::to_string(set.label_columns) + ") to match " + part->images.shape_text() + " images");
    }
    std::vector<int64_t> values;
    try {
      values = labels.to_int64();
    } catch (const Error& error) {
      fail(labels_key + ": " + error.what());
    }
    part->labels.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] < 0 || values[i] > (1 << 20)) {
        fail(labels_key + ": label " + std::to_string(values[i]) + " of item " + std::to_string(i / columns) +
             " is out of range");
      }
      part->labels[i] = static_cast<int>(values[i]);
    }
    part->loaded = true;
  }
  return set;
}

}  // namespace medrepro::datasets
