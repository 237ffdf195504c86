#pragma once
// MedMNIST v2 .npz files (2D and 3D): arrays {train,val,test}_{images,labels}.
// Images are uint8 (float32 also read), shape (N, H, W) for grey 2D sets,
// (N, H, W, 3) for RGB 2D sets and (N, D, H, W) for 3D sets; labels are
// integers of shape (N,) or (N, L) (L > 1 for the multi-label ChestMNIST).
//
// AdrenalMNIST3D (28^3 and 64^3, 1,188 / 98 / 298 volumes, binary labels) is in
// the project's shared/datasets folder.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/npy.h"
#include "datasets/volume.h"

namespace medrepro::datasets {

inline constexpr const char* kAdrenalMnist3dSha256 = "8ffd78c0f000265deb7cf4ee0b454136fb3170f9839ecaa7bb01adf9f88aa7d1";
inline constexpr const char* kAdrenalMnist3d64Sha256 =
    "124a53ea2c66c8ac1985a4c98ea6f34d1ab35bdab1dc50947f80d4a87e54057d";

struct MedMnistPart {
  std::string name;         // "train", "val" or "test"
  size_t count = 0;         // items
  NpyArray images;          // uint8 or float32, shape (count, item_shape...)
  std::vector<int> labels;  // count * label_columns
  bool loaded = false;
};

struct MedMnistSet {
  std::string dataset;             // the file name without ".npz", e.g. "adrenalmnist3d_64"
  std::vector<size_t> item_shape;  // (H, W), (H, W, 3) or (D, H, W)
  bool volumetric = false;         // 3D items (D, H, W)
  int channels = 1;                // 3 for RGB 2D sets
  size_t label_columns = 1;
  MedMnistPart train, val, test;

  // Provenance.
  std::filesystem::path source;
  std::string sha256;  // of the .npz file

  size_t item_size() const;  // values per item
  const MedMnistPart& part(const std::string& name) const;  // "train", "val" or "test"
  // Item i of a part as float in the stored value range (0..255 for uint8), to `destination` (item_size() values).
  void item(const MedMnistPart& part, size_t index, float* destination) const;
  // A 3D item as a volume (spacing 1). Error for a 2D set.
  Volume volume(const MedMnistPart& part, size_t index) const;
  // Items per label value 0..max, for single-column labels.
  std::vector<size_t> class_counts(const MedMnistPart& part) const;
};

struct MedMnistOptions {
  bool train = true, val = true, test = true;  // which parts to load (the others stay empty, loaded=false)
};

// Errors name the file: a missing key (listing those present), images that are
// not uint8/float32, a label count that differs from the image count, labels
// that are negative or not integers, parts whose items differ in shape.
MedMnistSet load_medmnist(const std::filesystem::path& npz, const MedMnistOptions& options = {});

}  // namespace medrepro::datasets
