#pragma once
// MRNet (Stanford knee MRI) in its official layout, read from a path the user
// gives (its research-use agreement forbids redistribution):
//   <root>/{train,valid}/{axial,coronal,sagittal}/NNNN.npy   uint8, slices x 256 x 256 (17-61 slices)
//   <root>/{train,valid}-{abnormal,acl,meniscus}.csv          header-less lines "NNNN,label", label 0/1
// The index (exams and labels) is read at once; volumes are read one at a time
// when asked for, so a loader can decode them on its background thread.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/volume.h"

namespace medrepro::datasets {

enum class MrnetPlane { axial = 0, coronal = 1, sagittal = 2 };
const char* mrnet_plane_name(MrnetPlane plane);

struct MrnetExam {
  int id = 0;                 // NNNN
  int abnormal = 0, acl = 0, meniscus = 0;
  std::array<std::filesystem::path, 3> files;  // by MrnetPlane
};

struct MrnetSplit {
  std::string split;          // "train" or "valid"
  std::filesystem::path root;
  std::vector<MrnetExam> exams;  // in CSV order
  std::string labels_sha256;  // SHA-256 of the manifest "<sha256 of csv>  <csv name>\n" of the three CSVs
  std::array<size_t, 3> positives{};  // exams labelled 1 for abnormal, acl, meniscus
};

struct MrnetOptions {
  bool check_files = true;  // every exam's three .npy files must exist
};

// Errors: the root or a CSV missing (saying where to get the data), a malformed
// CSV line (file and line), a label other than 0/1, CSVs that list different
// exams, an exam named by a CSV whose .npy file is missing (naming both).
MrnetSplit load_mrnet_index(const std::filesystem::path& root, const std::string& split,
                            const MrnetOptions& options = {});

// One exam's volume for a plane: depth = slices, uint8. Error if the file is
// not a 3D uint8 .npy (naming it).
Grid<uint8_t> load_mrnet_volume(const MrnetExam& exam, MrnetPlane plane);

}  // namespace medrepro::datasets
