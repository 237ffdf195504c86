#pragma once
// BraTS-style case folders: one folder per case holding NIfTI-1 volumes of one
// geometry, one per modality, plus the tumour label map and (optionally) a
// brain mask. Files are recognised by the tokens of their names (split at '_',
// '-', '.'; case-insensitive):
//   flair -> "flair";  t1c, t1ce, t1gd -> "t1c";  t1 -> "t1";  t2 -> "t2";
//   seg, ot, label(s), truth -> the label map;  brainmask, mask -> the brain mask.
// So both the layout in shared/datasets/brats2015_deepmedic (flair_norm.nii.gz,
// t1c_norm.nii.gz, seg.nii.gz, brainmask.nii.gz) and the BraTS 2018+ naming
// (BraTS18_..._flair.nii.gz, ..._t1ce.nii.gz, ..._seg.nii.gz) are read.
//
// Labels follow BraTS 2013/2015: 0 background, 1 necrosis, 2 edema,
// 3 non-enhancing tumour, 4 enhancing tumour.
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/volume.h"

namespace medrepro::datasets {

struct BratsCase {
  std::string name;                  // the folder name, e.g. "brats_2013_pat0001_1"
  std::filesystem::path folder;
  std::vector<std::string> modalities;  // in the order asked for (or flair, t1, t1c, t2 order of those present)
  std::vector<Volume> images;        // one per modality
  LabelVolume labels;                // values 0..4
  LabelVolume brain_mask;            // 0/1
  std::string brain_mask_source;     // "file" or "nonzero voxels of the images" (when no mask file exists)
  std::vector<std::string> files;    // every file read, relative to the folder
  std::vector<std::string> sha256;   // of each file, same order
};

struct BratsOptions {
  std::vector<std::string> modalities;  // e.g. {"flair", "t1c"}; empty = all present
  bool labels = true;                   // read the label map (Error if absent)
};

// Sub-folders of `root` that hold a NIfTI label map, sorted by name. Error if
// `root` is not a folder (saying where to get the data) or holds no case.
std::vector<std::filesystem::path> list_brats_cases(const std::filesystem::path& root);

// Errors name the file: a requested modality that is absent (listing those
// present), two files for one role, volumes of different geometry, labels
// outside 0..4, a mask with values other than 0/1.
BratsCase load_brats_case(const std::filesystem::path& folder, const BratsOptions& options = {});

}  // namespace medrepro::datasets
