#include "datasets/class_folders.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "core/error.h"
#include "datasets/sha256.h"
#include "datasets/tar.h"

namespace medrepro::datasets {
namespace {

bool is_image_name(const std::string& file) {
  if (file.empty() || file[0] == '.') return false;
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos) return false;
  std::string extension = file.substr(dot + 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); });
  return extension == "jpeg" || extension == "jpg" || extension == "png";
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Images are kept encoded (about 1 KB for a MedNIST JPEG, against 4 KB decoded)
// until the set is complete; they are then decoded straight into the final
// contiguous array, so peak memory is one copy of the pixels plus the files.
struct Item {
  std::vector<uint8_t> encoded;
  Sha256Digest digest{};
};

struct ClassBucket {
  std::map<std::string, Item> items;  // file name -> decoded image, capped
  size_t available = 0;
  bool has_folder = false;
};

class Collector {
 public:
  Collector(const ClassFolderOptions& options, std::string source_name)
      : options_(options), source_name_(std::move(source_name)),
        filter_(options.classes.begin(), options.classes.end()) {
    if (filter_.size() != options.classes.size()) {
      fail(options.dataset + ": the class list repeats a name: " + join(options.classes));
    }
  }

  void folder(const std::string& class_name) { buckets_[class_name].has_folder = true; }

  // One image file; `fetch` returns its bytes and is called only if the image is needed.
  void image(const std::string& class_name, const std::string& file, const std::string& entry_name,
             const std::function<std::vector<uint8_t>()>& fetch) {
    ClassBucket& bucket = buckets_[class_name];
    bucket.has_folder = true;
    ++bucket.available;
    if (!filter_.empty() && !filter_.count(class_name)) return;
    const size_t cap = options_.max_per_class;
    if (cap > 0 && bucket.items.size() >= cap && file >= bucket.items.rbegin()->first) return;
    Item item;
    item.encoded = fetch();
    item.digest = sha256(item.encoded.data(), item.encoded.size());
    const ImageInfo info = probe_image(item.encoded, source_name_ + ": " + entry_name);
    if (height_ == 0) {
      height_ = info.height;
      width_ = info.width;
      first_entry_ = entry_name;
    } else if (info.height != height_ || info.width != width_) {
      fail(source_name_ + ": " + entry_name + ": image is " + std::to_string(info.width) + "x" +
           std::to_string(info.height) + ", expected " + std::to_string(width_) + "x" + std::to_string(height_) +
           " like " + first_entry_ + " (all images of a set must have one size)");
    }
    bucket.items.insert_or_assign(file, std::move(item));
    if (cap > 0 && bucket.items.size() > cap) bucket.items.erase(std::prev(bucket.items.end()));
  }

  ImageSet finish(const std::string& where) {
    ImageSet set;
    set.dataset = options_.dataset;
    for (const auto& [name, bucket] : buckets_) {
      if (bucket.available == 0) {
        fail(options_.dataset + ": class folder '" + name + "' in " + where + " has no images (.jpeg/.jpg/.png)");
      }
      set.available_classes.push_back(name);
      set.available_counts.push_back(bucket.available);
    }
    if (set.available_classes.empty()) {
      fail(options_.dataset + ": no images found in " + where + " (expected <Class>/<file>.jpeg folders)");
    }
    for (const std::string& name : filter_) {
      if (!buckets_.count(name)) {
        fail(options_.dataset + ": unknown class '" + name + "'; available classes: " + join(set.available_classes));
      }
    }
    set.class_names = filter_.empty() ? set.available_classes : std::vector<std::string>(filter_.begin(), filter_.end());
    set.height = height_;
    set.width = width_;
    Sha256 manifest;
    std::vector<Item*> items;
    for (size_t label = 0; label < set.class_names.size(); ++label) {
      const std::string& name = set.class_names[label];
      ClassBucket& bucket = buckets_[name];
      set.class_counts.push_back(bucket.items.size());
      for (auto& [file, item] : bucket.items) {
        items.push_back(&item);
        set.labels.push_back(static_cast<int>(label));
        set.files.push_back(name + "/" + file);
        set.content_hashes.push_back(digest_prefix64(item.digest));
        manifest.update(Sha256::to_hex(item.digest) + "  " + set.files.back() + "\n");
      }
    }
    set.pixels.resize(items.size() * set.image_bytes());
    decode_all(items, set);
    buckets_.clear();
    manifest_sha256_ = manifest.finish_hex();
    return set;
  }

  const std::string& manifest_sha256() const { return manifest_sha256_; }

 private:
  // Decodes every item into its slot of set.pixels, on a few threads; the first
  // error (in item order) is rethrown.
  void decode_all(const std::vector<Item*>& items, ImageSet& set) const {
    const size_t threads = items.size() < 256 ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    const size_t per_thread = (items.size() + threads - 1) / threads;
    std::vector<std::exception_ptr> errors(threads);
    const auto work = [&](size_t t) {
      try {
        for (size_t i = t * per_thread; i < std::min(items.size(), (t + 1) * per_thread); ++i) {
          decode_grey_into(items[i]->encoded, source_name_ + ": " + set.files[i], width_, height_,
                           set.pixels.data() + i * set.image_bytes());
          std::vector<uint8_t>().swap(items[i]->encoded);
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& thread : pool) thread.join();
    for (const std::exception_ptr& error : errors) {
      if (error) std::rethrow_exception(error);
    }
  }

  const ClassFolderOptions& options_;
  std::string source_name_;
  std::set<std::string> filter_;
  std::map<std::string, ClassBucket> buckets_;
  int height_ = 0, width_ = 0;
  std::string first_entry_;
  std::string manifest_sha256_;
};

std::vector<std::string> split_path(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    const size_t slash = std::min(name.find('/', start), name.size());
    parts.push_back(name.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

ImageSet load_archive(const std::filesystem::path& source, const ClassFolderOptions& options) {
  TarReader tar(source);
  Collector collector(options, tar.name());
  const std::string prefix = options.root.empty() ? std::string() : options.root + "/";
  while (const TarEntry* entry = tar.next()) {
    if (entry->name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::vector<std::string> parts = split_path(entry->name.substr(prefix.size()));
    if (parts.size() == 1 && entry->type == TarType::directory && !parts[0].empty()) collector.folder(parts[0]);
    if (parts.size() != 2 || parts[0].empty() || !is_image_name(parts[1])) continue;
    if (entry->type == TarType::hardlink || entry->type == TarType::symlink) {
      fail(tar.name() + ": " + entry->name + " is a link to " + entry->link_target +
           "; links are not supported in image archives");
    }
    if (entry->type != TarType::regular) continue;
    collector.image(parts[0], parts[1], entry->name, [&] { return tar.read_all(uint64_t(1) << 28); });
  }
  const std::string where = tar.name() + (prefix.empty() ? "" : " under " + prefix);
  ImageSet set = collector.finish(where);
  set.source = source;
  set.source_kind = "archive";
  set.sha256 = tar.archive_sha256();
  return set;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string() + ": cannot open for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path.string() + ": read error");
  return bytes;
}

// Sorted, so that a folder is read in the same order everywhere.
std::vector<std::filesystem::directory_entry> sorted_entries(const std::filesystem::path& folder) {
  std::vector<std::filesystem::directory_entry> entries(std::filesystem::directory_iterator(folder), {});
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return entries;
}

ImageSet load_folder(const std::filesystem::path& source, const ClassFolderOptions& options) {
  const std::filesystem::path root = options.root.empty() ? source : source / options.root;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) fail(options.dataset + ": " + root.string() + " is not a folder");
  Collector collector(options, root.string());
  for (const auto& class_dir : sorted_entries(root)) {
    const std::string class_name = class_dir.path().filename().string();
    if (!class_dir.is_directory() || class_name.empty() || class_name[0] == '.') continue;
    collector.folder(class_name);
    for (const auto& file : sorted_entries(class_dir.path())) {
      const std::string file_name = file.path().filename().string();
      if (!file.is_regular_file() || !is_image_name(file_name)) continue;
      collector.image(class_name, file_name, class_name + "/" + file_name, [&] { return read_file(file.path()); });
    }
  }
  ImageSet set = collector.finish(root.string());
  set.source = root;
  set.source_kind = "folder";
  set.sha256 = collector.manifest_sha256();
  return set;
}

}  // namespace

ImageSet load_class_folders(const std::filesystem::path& source, const ClassFolderOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(source, ec)) return load_folder(source, options);
  if (!std::filesystem::exists(source, ec)) fail(options.dataset + ": " + source.string() + " does not exist");
  return load_archive(source, options);
}

}  // namespace medrepro::datasets
