#pragma once
// NumPy .npz archives: a zip (stored or deflated entries) of .npy files, one
// per array, named "<key>.npy".
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "datasets/npy.h"
#include "datasets/zip.h"

namespace medrepro::datasets {

// The array names ("train_images", ...) in archive order; entries that do not end in ".npy" are skipped.
std::vector<std::string> npz_keys(const ZipArchive& archive);

// One array; Error naming the archive and the key if it is absent, listing the keys present.
NpyArray read_npz_array(ZipArchive& archive, const std::string& key, const NpyOptions& options = {});

// Every array of the archive, by key.
std::map<std::string, NpyArray> load_npz(const std::filesystem::path& path, const NpyOptions& options = {});

// Writes arrays as "<key>.npy" entries, deflated (numpy.savez_compressed) or stored (numpy.savez).
void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, NpyArray>>& arrays,
               bool compressed = true);

}  // namespace medrepro::datasets
