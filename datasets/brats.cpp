#include "datasets/brats.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "datasets/nifti.h"

namespace medrepro::datasets {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
  return text;
}

bool is_nifti_name(const std::string& name) {
  const std::string l = lower(name);
  const auto ends = [&](const std::string& suffix) {
    return l.size() > suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".nii") || ends(".nii.gz");
}

// The role of a file: a modality name, "labels", "mask", or "" (not recognised).
std::string role_of(const std::string& file) {
  std::string stem = lower(file);
  stem = stem.substr(0, stem.find(".nii"));
  std::vector<std::string> tokens;
  std::string token;
  for (char c : stem) {
    if (c == '_' || c == '-' || c == '.') {
      if (!token.empty()) tokens.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  if (!token.empty()) tokens.push_back(token);
  std::string role;
  for (const std::string& t : tokens) {
    std::string found;
    if (t == "flair") found = "flair";
    if (t == "t1c" || t == "t1ce" || t == "t1gd" || t == "t1post") found = "t1c";
    if (t == "t1") found = "t1";
    if (t == "t2") found = "t2";
    if (t == "seg" || t == "ot" || t == "label" || t == "labels" || t == "truth") found = "labels";
    if (t == "brainmask" || t == "mask") found = "mask";
    if (!found.empty()) role = found;  // the last recognised token wins ("..._t1_seg" is a label map)
  }
  return role;
}

std::map<std::string, std::vector<std::string>> roles_in(const std::filesystem::path& folder) {
  std::map<std::string, std::vector<std::string>> roles;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !is_nifti_name(name) || name[0] == '.') continue;
    const std::string role = role_of(name);
    if (!role.empty()) roles[role].push_back(name);
  }
  if (ec) fail("BraTS: cannot list " + folder.string() + ": " + ec.message());
  for (auto& [role, names] : roles) std::sort(names.begin(), names.end());
  return roles;
}

}  // namespace

std::vector<std::filesystem::path> list_brats_cases(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    fail("BraTS: " + root.string() + " is not a folder; the project's shared/datasets/brats2015_deepmedic holds 6 "
         "cases, the full BraTS sets are at https://www.synapse.org/brats (registration required)");
  }
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.is_directory() && roles_in(entry.path()).count("labels")) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  if (cases.empty()) fail("BraTS: no case folders (holding a NIfTI label map) in " + root.string());
  return cases;
}

BratsCase load_brats_case(const std::filesystem::path& folder, const BratsOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) fail("BraTS: case folder " + folder.string() + " not found");
  const std::map<std::string, std::vector<std::string>> roles = roles_in(folder);
  BratsCase result;
  result.folder = folder;
  result.name = folder.filename().string();
  if (result.name.empty()) result.name = folder.parent_path().filename().string();
  std::string present;
  for (const char* modality : {"flair", "t1", "t1c", "t2"}) {
    if (!roles.count(modality)) continue;
    if (!present.empty()) present += ", ";
    present += modality;
  }
  const auto file_for = [&](const std::string& role, bool required) -> std::string {
    const auto it = roles.find(role);
    if (it == roles.end()) {
      if (required) {
        fail("BraTS: " + folder.string() + " has no " + (role == "labels" ? "label map (seg)" : role + " volume") +
             "; modalities present: " + (present.empty() ? "none" : present));
      }
      return "";
    }
    if (it->second.size() > 1) {
      fail("BraTS: " + folder.string() + " has two files for " + role + ": " + it->second[0] + " and " + it->second[1]);
    }
    return it->second[0];
  };
  result.modalities = options.modalities;
  if (result.modalities.empty()) {
    for (const char* modality : {"flair", "t1", "t1c", "t2"}) {
      if (roles.count(modality)) result.modalities.push_back(modality);
    }
    if (result.modalities.empty()) fail("BraTS: " + folder.string() + " has no image volume (flair, t1, t1c, t2)");
  }
  result.images.reserve(result.modalities.size());  // `reference` points into it
  const Volume* reference = nullptr;
  std::string reference_file;
  const auto check_geometry = [&](const auto& grid, const std::string& file) {
    if (reference == nullptr) return;
    if (!grid.same_shape(*reference)) {
      fail("BraTS: " + (folder / file).string() + " is " + grid.shape_text() + " but " + reference_file + " is " +
           reference->shape_text() + ": the volumes of a case must share one grid");
    }
  };
  const auto read = [&](const std::string& file) {
    NiftiImage image = read_nifti(folder / file);
    result.files.push_back(file);
    result.sha256.push_back(image.sha256);
    return image;
  };
  for (const std::string& modality : result.modalities) {
    const std::string file = file_for(modality, true);
    NiftiImage image = read(file);
    check_geometry(image.volume, file);
    result.images.push_back(std::move(image.volume));
    if (reference == nullptr) {
      reference = &result.images.front();
      reference_file = file;
    }
  }
  if (options.labels) {
    const std::string file = file_for("labels", true);
    NiftiImage image = read(file);
    check_geometry(image.volume, file);
    result.labels = to_labels(image.volume, (folder / file).string());
    for (size_t i = 0; i < result.labels.data.size(); ++i) {
      if (result.labels.data[i] > 4) {
        fail("BraTS: " + (folder / file).string() + ": label " + std::to_string(result.labels.data[i]) + " at voxel " +
             std::to_string(i) + "; BraTS labels are 0..4");
      }
    }
  }
  const std::string mask_file = file_for("mask", false);
  if (!mask_file.empty()) {
    NiftiImage image = read(mask_file);
    check_geometry(image.volume, mask_file);
    result.brain_mask = to_labels(image.volume, (folder / mask_file).string());
    for (uint8_t v : result.brain_mask.data) {
      if (v > 1) {
        fail("BraTS: " + (folder / mask_file).string() + ": value " + std::to_string(v) + " in a brain mask (0/1)");
      }
    }
    result.brain_mask_source = "file";
  } else {
    const Volume& first = result.images.front();
    result.brain_mask = LabelVolume(first.depth, first.height, first.width, 0);
    result.brain_mask.spacing = first.spacing;
    for (const Volume& image : result.images) {
      for (size_t i = 0; i < image.data.size(); ++i) {
        if (image.data[i] != 0.0f) result.brain_mask.data[i] = 1;
      }
    }
    result.brain_mask_source = "nonzero voxels of the images";
  }
  return result;
}

}  // namespace medrepro::datasets
