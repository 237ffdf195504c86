#include "datasets/npz.h"

#include "core/error.h"

namespace medrepro::datasets {

std::vector<std::string> npz_keys(const ZipArchive& archive) {
  std::vector<std::string> keys;
  for (const ZipEntry& entry : archive.entries()) {
    if (entry.name.size() > 4 && entry.name.compare(entry.name.size() - 4, 4, ".npy") == 0) {
      keys.push_back(entry.name.substr(0, entry.name.size() - 4));
    }
  }
  return keys;
}

NpyArray read_npz_array(ZipArchive& archive, const std::string& key, const NpyOptions& options) {
  const ZipEntry* entry = archive.find(key + ".npy");
  if (entry == nullptr) {
    std::string present;
    for (const std::string& name : npz_keys(archive)) {
      if (!present.empty()) present += ", ";
      present += name;
    }
    fail(archive.name() + ": no array '" + key + "' in the .npz (it holds: " + (present.empty() ? "nothing" : present) +
         ")");
  }
  std::unique_ptr<ByteSource> stream = archive.open(*entry);
  return read_npy(*stream, options);
}

std::map<std::string, NpyArray> load_npz(const std::filesystem::path& path, const NpyOptions& options) {
  ZipArchive archive(path);
  std::map<std::string, NpyArray> arrays;
  for (const std::string& key : npz_keys(archive)) arrays.emplace(key, read_npz_array(archive, key, options));
  return arrays;
}

void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, NpyArray>>& arrays,
               bool compressed) {
  std::vector<ZipWriteEntry> entries;
  for (const auto& [key, array] : arrays) entries.push_back({key + ".npy", encode_npy(array), compressed});
  write_zip(path, entries);
}

}  // namespace medrepro::datasets
