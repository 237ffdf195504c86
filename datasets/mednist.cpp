#include "datasets/mednist.h"

#include "core/error.h"
#include "datasets/class_folders.h"
#include "datasets/paths.h"

namespace medrepro::datasets {
namespace {

// An extracted MedNIST folder: one of the class folders is in it.
bool has_class_folder(const std::filesystem::path& path) {
  std::error_code ec;
  for (const char* name : {"AbdomenCT", "BreastMRI", "CXR", "ChestCT", "Hand", "HeadCT"}) {
    if (std::filesystem::is_directory(path / name, ec)) return true;
  }
  return false;
}

}  // namespace

std::filesystem::path locate_mednist(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return path;
  if (std::filesystem::is_directory(path, ec)) {
    if (std::filesystem::is_regular_file(path / "MedNIST.tar.gz", ec)) return path / "MedNIST.tar.gz";
    if (std::filesystem::is_directory(path / "MedNIST", ec)) return path / "MedNIST";
    const std::filesystem::path folder = path.has_filename() ? path : path.parent_path();
    if (folder.filename() == "MedNIST" || has_class_folder(path)) return folder;
  }
  fail("MedNIST: data set not found: tried " + path.string() + " (as the archive, " +
       (path / "MedNIST.tar.gz").string() + " and the extracted folder " + (path / "MedNIST").string() +
       "). Copy MedNIST.tar.gz from the project's shared/datasets folder, or download the MONAI release "
       "https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz, "
       "and point MEDREPRO_DATA (or the path argument) at the folder holding it");
}

ImageSet load_mednist(const std::filesystem::path& path, const MedNistOptions& options) {
  const std::filesystem::path source = locate_mednist(path);
  ClassFolderOptions folder_options;
  folder_options.dataset = "MedNIST";
  folder_options.classes = options.classes;
  folder_options.max_per_class = options.max_per_class;
  std::error_code ec;
  folder_options.root = std::filesystem::is_directory(source, ec) ? "" : "MedNIST";
  return load_class_folders(source, folder_options);
}

ImageSet load_mednist(const MedNistOptions& options) { return load_mednist(default_data_dir(), options); }

}  // namespace medrepro::datasets
