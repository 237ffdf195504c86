#pragma once
// MedNIST (MONAI): 58,954 greyscale 64x64 JPEGs in 6 classes (AbdomenCT,
// BreastMRI, CXR, ChestCT, Hand, HeadCT), read from the official
// MedNIST.tar.gz (layout MedNIST/<Class>/<NNNNNN>.jpeg) without extracting it,
// or from an extracted MedNIST/<Class>/*.jpeg folder. Images stay uint8.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image.h"

namespace medrepro::datasets {

struct MedNistOptions {
  std::vector<std::string> classes;  // empty = all six; labels follow the sorted order of the loaded classes
  size_t max_per_class = 0;          // 0 = all; K = the first K files per class in sorted name order
};

// SHA-256 of the MedNIST.tar.gz in the project's shared/datasets folder.
inline constexpr const char* kMedNistSha256 = "8f4498f42637068a395d39466252f5dc6df2db1b90490822326c1042ab6a8711";

// `path` may be MedNIST.tar.gz itself, an extracted MedNIST folder (holding the
// class folders), or a folder holding either of those (MedNIST.tar.gz is
// preferred: it gives a SHA-256 for the report). Error if nothing is found,
// saying what was tried and where to get the data.
std::filesystem::path locate_mednist(const std::filesystem::path& path);

ImageSet load_mednist(const std::filesystem::path& path, const MedNistOptions& options = {});
ImageSet load_mednist(const MedNistOptions& options = {});  // from default_data_dir()

}  // namespace medrepro::datasets
