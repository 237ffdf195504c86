#include "core/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "core/nn/module.h"
#include "core/optim.h"

namespace medrepro {
namespace {

static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");
constexpr char kMagic[8] = {'M', 'E', 'D', 'R', 'C', 'K', 'P', 'T'};

template <class T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}
void put_string(std::string& out, const std::string& s) {
  put(out, static_cast<uint32_t>(s.size()));
  out += s;
}

class Reader {
 public:
  Reader(const std::string& path, const char* data, size_t size) : path_(path), data_(data), size_(size) {}
  template <class T>
  T get() {
    T value;
    need(sizeof value);
    std::memcpy(&value, data_ + pos_, sizeof value);
    pos_ += sizeof value;
    return value;
  }
  std::string get_string() {
    const uint32_t length = get<uint32_t>();
    need(length);
    std::string s(data_ + pos_, length);
    pos_ += length;
    return s;
  }
  void get_floats(float* out, size_t count) {
    if (count > (size_ - pos_) / sizeof(float)) need(count * sizeof(float));
    std::memcpy(out, data_ + pos_, count * sizeof(float));
    pos_ += count * sizeof(float);
  }
  bool at_end() const { return pos_ == size_; }

 private:
  void need(size_t bytes) const {
    if (bytes > size_ - pos_) fail("Checkpoint " + path_ + " is corrupt: a record runs past the end of its payload");
  }
  const std::string& path_;
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("Cannot write checkpoint " + path + ": " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
}

// The file as a list of byte ranges: small serialised headers, and the tensors'
// values in place, so that a checkpoint of hundreds of megabytes is written
// without first being copied into one buffer (that copy cost seconds here).
struct FileLayout {
  std::vector<std::string> headers;
  std::vector<std::pair<const char*, size_t>> payload;
  size_t payload_bytes = 0;
};

FileLayout lay_out(const Checkpoint& checkpoint) {
  FileLayout layout;
  layout.headers.reserve(checkpoint.tensors.size() + 1);  // no reallocation: payload points into these strings
  std::string& front = layout.headers.emplace_back();
  put(front, static_cast<uint32_t>(checkpoint.metadata.size()));
  for (const auto& [key, value] : checkpoint.metadata) {
    put_string(front, key);
    put_string(front, value);
  }
  put(front, static_cast<uint32_t>(checkpoint.tensors.size()));
  layout.payload.emplace_back(front.data(), front.size());
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (static_cast<int64_t>(tensor.values.size()) != element_count(tensor.shape)) {
      fail("save_checkpoint: tensor " + name + " has " + std::to_string(tensor.values.size()) +
           " values for shape " + to_string(tensor.shape));
    }
    std::string& header = layout.headers.emplace_back();
    put_string(header, name);
    put(header, static_cast<uint32_t>(tensor.shape.size()));
    for (int64_t d : tensor.shape) put(header, d);
    layout.payload.emplace_back(header.data(), header.size());
    layout.payload.emplace_back(reinterpret_cast<const char*>(tensor.values.data()),
                                tensor.values.size() * sizeof(float));
  }
  for (const auto& [data, size] : layout.payload) layout.payload_bytes += size;
  return layout;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  const FileLayout layout = lay_out(checkpoint);
  std::string head(kMagic, sizeof kMagic);
  put(head, kCheckpointVersion);
  put(head, static_cast<uint64_t>(layout.payload_bytes));
  uLong crc = crc32_z(0L, Z_NULL, 0);
  for (const auto& [data, size] : layout.payload) crc = crc32_z(crc, reinterpret_cast<const Bytef*>(data), size);
  std::string tail;
  put(tail, static_cast<uint32_t>(crc));

  const std::filesystem::path target(path);
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::filesystem::create_directories(directory);
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("Cannot create checkpoint " + temporary + ": " + std::strerror(errno));
  try {
    write_all(fd, head.data(), head.size(), temporary);
    for (const auto& [data, size] : layout.payload) write_all(fd, data, size, temporary);
    write_all(fd, tail.data(), tail.size(), temporary);
    if (::fsync(fd) != 0) fail("fsync of checkpoint " + temporary + " failed: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail("Cannot move checkpoint into place at " + path + ": " + std::strerror(errno));
  }
  int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("Cannot open checkpoint " + path + ": " + std::strerror(errno));
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t header = sizeof kMagic + sizeof(uint32_t) + sizeof(uint64_t);
  if (file.size() < header || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
    fail("Checkpoint " + path + " is not a medrepro checkpoint (bad magic or too short)");
  }
  uint32_t version;
  uint64_t payload_bytes;
  std::memcpy(&version, file.data() + sizeof kMagic, sizeof version);
  std::memcpy(&payload_bytes, file.data() + sizeof kMagic + sizeof version, sizeof payload_bytes);
  if (version != kCheckpointVersion) {
    fail("Checkpoint " + path + " has format version " + std::to_string(version) + "; this build reads version " +
         std::to_string(kCheckpointVersion));
  }
  if (payload_bytes > file.size() || file.size() - header - sizeof(uint32_t) != payload_bytes) {
    fail("Checkpoint " + path + " is truncated or has trailing bytes: header announces " +
         std::to_string(payload_bytes) + " payload bytes, the file holds " +
         std::to_string(file.size() >= header + 4 ? file.size() - header - 4 : 0));
  }
  const char* payload = file.data() + header;
  uint32_t stored_crc;
  std::memcpy(&stored_crc, payload + payload_bytes, sizeof stored_crc);
  const auto crc = static_cast<uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(payload), payload_bytes));
  if (crc != stored_crc) fail("Checkpoint " + path + " is corrupt: CRC-32 mismatch");

  Checkpoint checkpoint;
  Reader reader(path, payload, payload_bytes);
  for (uint32_t n = reader.get<uint32_t>(); n > 0; --n) {
    std::string key = reader.get_string();
    checkpoint.metadata[key] = reader.get_string();
  }
  for (uint32_t n = reader.get<uint32_t>(); n > 0; --n) {
    std::string name = reader.get_string();
    HostTensor tensor;
    const uint32_t rank = reader.get<uint32_t>();
    if (rank > 8) fail("Checkpoint " + path + " is corrupt: tensor " + name + " has rank " + std::to_string(rank));
    uint64_t count = 1;
    for (uint32_t i = 0; i < rank; ++i) {
      const int64_t d = reader.get<int64_t>();
      if (d < 0 || (d > 0 && count > payload_bytes / static_cast<uint64_t>(d))) {
        fail("Checkpoint " + path + " is corrupt: tensor " + name + " has an impossible shape");
      }
      tensor.shape.push_back(d);
      count *= static_cast<uint64_t>(d);
    }
    tensor.values.resize(count);
    reader.get_floats(tensor.values.data(), count);
    checkpoint.tensors[name] = std::move(tensor);
  }
  if (!reader.at_end()) fail("Checkpoint " + path + " is corrupt: bytes left after the last tensor");
  return checkpoint;
}

namespace {
// Every device tensor of the training state, by checkpoint name.
std::vector<std::pair<std::string, Tensor>> training_tensors(nn::Module& model, const Optimizer* optimizer) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (nn::Parameter* p : model.parameters()) out.emplace_back("model." + p->name, p->value);
  for (auto& [name, buffer] : model.buffers()) out.emplace_back("buffer." + name, buffer);
  if (optimizer) {
    for (auto& entry : optimizer->state()) out.push_back(std::move(entry));
  }
  return out;
}
}  // namespace

Checkpoint capture_training_state(nn::Module& model, const Optimizer* optimizer) {
  Checkpoint checkpoint;
  for (const auto& [name, tensor] : training_tensors(model, optimizer)) {
    checkpoint.tensors[name] = {tensor.shape(), tensor.to_host()};
  }
  if (optimizer) {
    for (const auto& [key, value] : optimizer->host_state()) checkpoint.metadata[key] = value;
  }
  return checkpoint;
}

namespace {

// Copies checkpoint tensors into device tensors, all or none: every key is found
// and every shape checked before the first copy.
void copy_all_or_nothing(const Checkpoint& checkpoint,
                         const std::vector<std::pair<std::string, Tensor>>& keyed_destinations,
                         const std::string& missing_hint) {
  std::vector<std::pair<const HostTensor*, Tensor>> assignments;
  for (const auto& [key, destination] : keyed_destinations) {
    auto it = checkpoint.tensors.find(key);
    if (it == checkpoint.tensors.end()) fail("Checkpoint has no tensor " + key + ": " + missing_hint);
    if (it->second.shape != destination.shape()) {
      fail("Checkpoint tensor " + key + " has shape " + to_string(it->second.shape) + ", the model expects " +
           to_string(destination.shape()));
    }
    assignments.emplace_back(&it->second, destination);
  }
  for (auto& [source, destination] : assignments) {
    copy_into(destination, Tensor::from_host(source->shape, source->values));
  }
}

}  // namespace

void restore_training_state(const Checkpoint& checkpoint, nn::Module& model, Optimizer* optimizer) {
  copy_all_or_nothing(checkpoint, training_tensors(model, optimizer), "it was saved from another model");
  if (optimizer) {
    std::vector<std::pair<std::string, std::string>> host(checkpoint.metadata.begin(), checkpoint.metadata.end());
    optimizer->restore_host_state(host);
  }
}

size_t load_module_state(const Checkpoint& checkpoint, const std::string& source_prefix, nn::Module& module) {
  std::vector<std::pair<std::string, Tensor>> keyed;
  for (nn::Parameter* p : module.parameters()) keyed.emplace_back("model." + source_prefix + p->name, p->value);
  for (auto& [name, buffer] : module.buffers()) keyed.emplace_back("buffer." + source_prefix + name, buffer);
  copy_all_or_nothing(checkpoint, keyed, "the source model has no module '" + source_prefix + "' of this shape");
  return keyed.size();
}

}  // namespace medrepro
