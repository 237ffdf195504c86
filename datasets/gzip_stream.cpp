#include "datasets/gzip_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {

// A file read front to back, every byte fed to SHA-256.
class HashedFile {
 public:
  HashedFile(const std::filesystem::path& path, const std::string& name) : name_(name) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(name_ + ": is a directory, expected a file");
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) fail(name_ + ": cannot open for reading (" + std::strerror(errno) + ")");
  }
  ~HashedFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  HashedFile(const HashedFile&) = delete;
  HashedFile& operator=(const HashedFile&) = delete;

  size_t read(void* destination, size_t size) {
    if (finished_) fail(name_ + ": read after the file was hashed to its end");
    const size_t got = std::fread(destination, 1, size, file_);
    if (got < size && std::ferror(file_)) {
      fail(name_ + ": read error after " + std::to_string(bytes_ + got) + " bytes (" + std::strerror(errno) + ")");
    }
    hash_.update(destination, got);
    bytes_ += got;
    return got;
  }
  uint64_t bytes_read() const { return bytes_; }

  std::string finish() {
    if (!finished_) {
      std::vector<uint8_t> buffer(1 << 18);
      while (read(buffer.data(), buffer.size()) > 0) {
      }
      digest_ = hash_.finish_hex();
      finished_ = true;
    }
    return digest_;
  }

 private:
  std::string name_;
  std::FILE* file_ = nullptr;
  Sha256 hash_;
  uint64_t bytes_ = 0;
  bool finished_ = false;
  std::string digest_;
};

FileSource::FileSource(const std::filesystem::path& path)
    : name_(path.string()), file_(std::make_unique<HashedFile>(path, name_)) {}
FileSource::~FileSource() = default;

size_t FileSource::read(void* destination, size_t size) {
  const size_t got = file_->read(destination, size);
  position_ += got;
  return got;
}

std::string FileSource::file_sha256() { return file_->finish(); }

namespace {
constexpr size_t kInputChunk = 1 << 17;
}

struct GzipReader::State {
  z_stream z{};
  std::vector<uint8_t> input = std::vector<uint8_t>(kInputChunk);
  bool file_ended = false;
  bool between_members = false;  // a member ended; more may follow
  bool in_padding = false;       // zero bytes after the last member
  bool done = false;
  bool failed = false;
  uint64_t members = 0;
};

GzipReader::GzipReader(const std::filesystem::path& path)
    : name_(path.string()), file_(std::make_unique<HashedFile>(path, name_)), state_(std::make_unique<State>()) {
  State& s = *state_;
  const size_t got = file_->read(s.input.data(), s.input.size());
  if (got == 0) fail(name_ + ": empty file, expected a gzip stream");
  if (got < 2 || s.input[0] != 0x1f || s.input[1] != 0x8b) {
    char first[16];
    std::snprintf(first, sizeof first, "%02x %02x", s.input[0], got > 1 ? s.input[1] : 0);
    fail(name_ + ": not a gzip file (starts with bytes " + first + ", expected 1f 8b)");
  }
  s.z.next_in = s.input.data();
  s.z.avail_in = static_cast<uInt>(got);
  if (inflateInit2(&s.z, 16 + MAX_WBITS) != Z_OK) fail(name_ + ": cannot initialise zlib inflate");
}

GzipReader::~GzipReader() { inflateEnd(&state_->z); }

uint64_t GzipReader::compressed_position() const { return file_->bytes_read() - state_->z.avail_in; }

std::string GzipReader::file_sha256() {
  state_->done = true;
  return file_->finish();
}

size_t GzipReader::read(void* destination, size_t size) {
  State& s = *state_;
  if (s.failed) fail(name_ + ": read after an earlier error");
  if (s.done) return 0;
  auto* out = static_cast<Bytef*>(destination);
  size_t produced = 0;
  const auto error = [&](const std::string& what) {
    s.failed = true;
    position_ += produced;
    fail(name_ + ": " + what);
  };
  while (produced < size) {
    if (s.z.avail_in == 0 && !s.file_ended) {
      const size_t got = file_->read(s.input.data(), s.input.size());
      s.z.next_in = s.input.data();
      s.z.avail_in = static_cast<uInt>(got);
      if (got == 0) s.file_ended = true;
    }
    if (s.between_members) {
      if (s.z.avail_in == 0) {  // the file ended cleanly after a complete member
        s.done = true;
        break;
      }
      if (s.in_padding || s.z.next_in[0] == 0) {  // trailing zeros (tape padding) are accepted, anything else is not
        s.in_padding = true;
        for (uInt i = 0; i < s.z.avail_in; ++i) {
          if (s.z.next_in[i] != 0) {
            error("unexpected data after the end of the gzip stream at byte " +
                  std::to_string(compressed_position() + i));
          }
        }
        s.z.next_in += s.z.avail_in;
        s.z.avail_in = 0;
        continue;
      }
      inflateReset(&s.z);  // another gzip member follows
      s.between_members = false;
    }
    if (s.z.avail_in == 0) {  // the file ended inside a member
      error("truncated gzip stream after " + std::to_string(compressed_position()) + " bytes (" +
            std::to_string(position_ + produced) +
            " bytes decompressed): the file is incomplete; copy or download it again");
    }
    const size_t want = std::min<size_t>(size - produced, size_t(1) << 30);
    s.z.next_out = out + produced;
    s.z.avail_out = static_cast<uInt>(want);
    const int result = inflate(&s.z, Z_NO_FLUSH);
    produced += want - s.z.avail_out;
    if (result == Z_STREAM_END) {
      ++s.members;
      s.between_members = true;
      continue;
    }
    if (result == Z_OK) continue;
    if (result == Z_BUF_ERROR && s.z.avail_in == 0) continue;  // needs more input: refilled or reported above
    const std::string message = s.z.msg != nullptr ? s.z.msg : "zlib error " + std::to_string(result);
    const std::string where = " at compressed byte " + std::to_string(compressed_position());
    if (result == Z_MEM_ERROR) error("out of memory in zlib inflate");
    if (message == "incorrect header check" || message == "unknown compression method") {
      error(s.members > 0 ? "unexpected data after the end of the gzip stream" + where
                          : "not a valid gzip header (" + message + ")");
    }
    if (message == "incorrect data check") {
      error("CRC-32 mismatch in the gzip trailer" + where + ": the decompressed data is corrupt");
    }
    if (message == "incorrect length check") error("length mismatch in the gzip trailer" + where);
    error("corrupt gzip data" + where + " (" + message + ")");
  }
  position_ += produced;
  return produced;
}

bool is_gzip_file(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  uint8_t magic[2] = {0, 0};
  const size_t got = std::fread(magic, 1, 2, file);
  std::fclose(file);
  return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::unique_ptr<ByteSource> open_byte_source(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path.string() + ": no such file");
  if (is_gzip_file(path)) return std::make_unique<GzipReader>(path);
  return std::make_unique<FileSource>(path);
}

}  // namespace medrepro::datasets
