#include "datasets/zip.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include "core/error.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {
namespace {

constexpr uint32_t kLocalSignature = 0x04034b50;
constexpr uint32_t kCentralSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

class FileAccess final : public RandomAccess {
 public:
  FileAccess(const std::filesystem::path& path, const std::string& name) : name_(name) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(name_ + ": no such file");
    if (std::filesystem::is_directory(path, ec)) fail(name_ + ": is a directory, expected a zip file");
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) fail(name_ + ": cannot open for reading (" + std::strerror(errno) + ")");
    if (fseeko(file_, 0, SEEK_END) != 0) fail(name_ + ": cannot seek");
    const off_t end = ftello(file_);
    if (end < 0) fail(name_ + ": cannot tell the file size");
    size_ = static_cast<uint64_t>(end);
  }
  ~FileAccess() override { std::fclose(file_); }
  FileAccess(const FileAccess&) = delete;
  FileAccess& operator=(const FileAccess&) = delete;

  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, void* destination, size_t size) override {
    if (offset > size_ || size > size_ - offset) {
      fail(name_ + ": truncated zip file: " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
           " lie beyond its end (" + std::to_string(size_) + " bytes)");
    }
    if (size == 0) return;
    if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(destination, 1, size, file_) != size) {
      fail(name_ + ": read error at offset " + std::to_string(offset));
    }
  }

 private:
  std::string name_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

class MemoryAccess final : public RandomAccess {
 public:
  MemoryAccess(std::span<const uint8_t> bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  uint64_t size() const override { return bytes_.size(); }
  void read_at(uint64_t offset, void* destination, size_t size) override {
    if (offset > bytes_.size() || size > bytes_.size() - offset) {
      fail(name_ + ": truncated zip file: " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
           " lie beyond its end (" + std::to_string(bytes_.size()) + " bytes)");
    }
    if (size > 0) std::memcpy(destination, bytes_.data() + offset, size);
  }

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
};

class EntryStream final : public ByteSource {
 public:
  EntryStream(RandomAccess& data, const ZipEntry& entry, uint64_t data_offset, std::string name)
      : data_(data), entry_(entry), offset_(data_offset), name_(std::move(name)) {
    if (entry_.method == 8) {
      if (inflateInit2(&z_, -MAX_WBITS) != Z_OK) fail(name_ + ": cannot initialise zlib inflate");
      inflating_ = true;
    }
  }
  ~EntryStream() override {
    if (inflating_) inflateEnd(&z_);
  }
  EntryStream(const EntryStream&) = delete;
  EntryStream& operator=(const EntryStream&) = delete;

  const std::string& name() const override { return name_; }
  uint64_t position() const override { return produced_; }
  std::string file_sha256() override { fail(name_ + ": a zip entry has no file SHA-256; hash the archive"); }

  size_t read(void* destination, size_t size) override {
    if (failed_) fail(name_ + ": read after an earlier error");
    if (done_) return 0;
    auto* out = static_cast<uint8_t*>(destination);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size, entry_.size - produced_));
    size_t got = 0;
    try {
      got = entry_.method == 0 ? read_stored(out, want) : read_deflated(out, want);
      for (size_t done = 0; done < got;) {  // crc32 takes uInt lengths
        const size_t step = std::min<size_t>(got - done, size_t(1) << 30);
        crc_ = static_cast<uint32_t>(::crc32(crc_, out + done, static_cast<uInt>(step)));
        done += step;
      }
      produced_ += got;
      if (produced_ == entry_.size) finish();
    } catch (...) {
      failed_ = true;
      throw;
    }
    return got;
  }

 private:
  size_t read_stored(uint8_t* out, size_t want) {
    data_.read_at(offset_ + consumed_, out, want);
    consumed_ += want;
    return want;
  }

  size_t read_deflated(uint8_t* out, size_t want) {
    size_t got = 0;
    while (got < want) {
      if (z_.avail_in == 0 && consumed_ < entry_.compressed_size) refill();
      const size_t step = std::min<size_t>(want - got, size_t(1) << 30);
      z_.next_out = out + got;
      z_.avail_out = static_cast<uInt>(step);
      const int result = inflate(&z_, Z_NO_FLUSH);
      got += step - z_.avail_out;
      if (result == Z_STREAM_END) {
        if (got < want) {
          fail(name_ + ": the deflate stream ends after " + std::to_string(produced_ + got) + " bytes, but the zip " +
               "directory says " + std::to_string(entry_.size) + ": the archive is corrupt");
        }
        stream_ended_ = true;
        break;
      }
      if (result == Z_OK) continue;
      if (result == Z_BUF_ERROR && z_.avail_in == 0) {
        if (consumed_ >= entry_.compressed_size) {
          fail(name_ + ": truncated deflate data: " + std::to_string(entry_.compressed_size) +
               " compressed bytes end after " + std::to_string(produced_ + got) + " of " +
               std::to_string(entry_.size) + " bytes");
        }
        continue;
      }
      fail(name_ + ": corrupt deflate data after " + std::to_string(produced_ + got) + " bytes (" +
           (z_.msg != nullptr ? std::string(z_.msg) : "zlib error " + std::to_string(result)) + ")");
    }
    return got;
  }

  void refill() {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(input_.size(), entry_.compressed_size - consumed_));
    data_.read_at(offset_ + consumed_, input_.data(), step);
    consumed_ += step;
    z_.next_in = input_.data();
    z_.avail_in = static_cast<uInt>(step);
  }

  // All declared bytes were produced: the compressed data must end here too, and the CRC match.
  void finish() {
    done_ = true;
    if (entry_.method == 8 && !stream_ended_) {
      uint8_t scratch[64];
      for (;;) {
        if (z_.avail_in == 0 && consumed_ < entry_.compressed_size) refill();
        z_.next_out = scratch;
        z_.avail_out = sizeof scratch;
        const int result = inflate(&z_, Z_NO_FLUSH);
        if (z_.avail_out != sizeof scratch) {
          fail(name_ + ": the entry holds more than the " + std::to_string(entry_.size) +
               " bytes the zip directory declares: the archive is corrupt");
        }
        if (result == Z_STREAM_END) break;
        if (result == Z_BUF_ERROR && z_.avail_in == 0 && consumed_ >= entry_.compressed_size) {
          fail(name_ + ": truncated deflate data (the stream has no end marker)");
        }
        if (result != Z_OK && result != Z_BUF_ERROR) {
          fail(name_ + ": corrupt deflate data at its end (" +
               (z_.msg != nullptr ? std::string(z_.msg) : "zlib error " + std::to_string(result)) + ")");
        }
      }
    }
    if (entry_.method == 8 && (z_.avail_in != 0 || consumed_ != entry_.compressed_size)) {
      fail(name_ + ": the deflate stream ends before the " + std::to_string(entry_.compressed_size) +
           " compressed bytes the zip directory declares: the archive is corrupt");
    }
    if (crc_ != entry_.crc32) {
      char text[64];
      std::snprintf(text, sizeof text, "stored %08x, computed %08x", entry_.crc32, crc_);
      fail(name_ + ": CRC-32 mismatch (" + text + "): the entry is corrupt");
    }
  }

  RandomAccess& data_;
  ZipEntry entry_;
  uint64_t offset_;
  std::string name_;
  z_stream z_{};
  bool inflating_ = false;
  bool stream_ended_ = false;
  bool done_ = false;
  bool failed_ = false;
  std::vector<uint8_t> input_ = std::vector<uint8_t>(1 << 16);
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  uint32_t crc_ = 0;
};

}  // namespace

ZipArchive::ZipArchive(const std::filesystem::path& path)
    : name_(path.string()), data_(std::make_unique<FileAccess>(path, name_)) {
  parse_directory();
}

ZipArchive::ZipArchive(std::span<const uint8_t> bytes, std::string name)
    : name_(std::move(name)), data_(std::make_unique<MemoryAccess>(bytes, name_)) {
  parse_directory();
}

ZipArchive::~ZipArchive() = default;

void ZipArchive::parse_directory() {
  const uint64_t file_size = data_->size();
  if (file_size < kEndSize) {
    fail(name_ + ": not a zip file (" + std::to_string(file_size) + " bytes, too short for a zip directory)");
  }
  const size_t tail_size = static_cast<size_t>(std::min<uint64_t>(file_size, kEndSize + 65535));
  const uint64_t tail_start = file_size - tail_size;
  std::vector<uint8_t> tail(tail_size);
  data_->read_at(tail_start, tail.data(), tail.size());
  // The end-of-central-directory record: the last signature whose comment fits in the file.
  size_t end = std::string::npos;
  for (size_t pos = tail_size - kEndSize + 1; pos-- > 0;) {
    if (u32(&tail[pos]) == kEndSignature && pos + kEndSize + u16(&tail[pos + 20]) <= tail_size) {
      end = pos;
      break;
    }
  }
  if (end == std::string::npos) {
    fail(name_ + ": not a zip file, or a truncated one (no end-of-central-directory record in its last " +
         std::to_string(tail_size) + " bytes)");
  }
  const uint8_t* record = &tail[end];
  const uint64_t end_offset = tail_start + end;
  const uint16_t disk = u16(record + 4), directory_disk = u16(record + 6);
  const uint16_t disk_entries = u16(record + 8), total_entries = u16(record + 10);
  const uint32_t directory_size = u32(record + 12), directory_offset = u32(record + 16);
  const bool zip64_locator = end >= 20 && u32(&tail[end - 20]) == kZip64LocatorSignature;
  if (zip64_locator || total_entries == 0xffff || disk_entries == 0xffff || directory_size == 0xffffffffu ||
      directory_offset == 0xffffffffu) {
    fail(name_ + ": zip64 archives are not supported (more than 65,535 entries or more than 4 GiB); "
                 "write the .npz with fewer/smaller arrays or use plain .npy files");
  }
  if (disk != 0 || directory_disk != 0 || disk_entries != total_entries) {
    fail(name_ + ": multi-disk (split) zip archives are not supported");
  }
  if (uint64_t(directory_offset) + directory_size > end_offset) {
    fail(name_ + ": corrupt zip directory: it claims " + std::to_string(directory_size) + " bytes at offset " +
         std::to_string(directory_offset) + ", beyond the end record at " + std::to_string(end_offset) +
         " (truncated file, or data prepended to the archive)");
  }
  std::vector<uint8_t> directory(directory_size);
  data_->read_at(directory_offset, directory.data(), directory.size());
  std::set<std::string> names;
  size_t pos = 0;
  for (size_t i = 0; i < total_entries; ++i) {
    const std::string where = "central directory entry " + std::to_string(i);
    if (pos + kCentralSize > directory.size() || u32(&directory[pos]) != kCentralSignature) {
      fail(name_ + ": corrupt zip directory: " + where + " at offset " + std::to_string(directory_offset + pos) +
           " is missing or damaged");
    }
    const uint8_t* p = &directory[pos];
    ZipEntry entry;
    entry.flags = u16(p + 8);
    entry.method = u16(p + 10);
    entry.crc32 = u32(p + 16);
    entry.compressed_size = u32(p + 20);
    entry.size = u32(p + 24);
    const size_t name_length = u16(p + 28), extra_length = u16(p + 30), comment_length = u16(p + 32);
    entry.local_header_offset = u32(p + 42);
    if (pos + kCentralSize + name_length + extra_length + comment_length > directory.size()) {
      fail(name_ + ": corrupt zip directory: " + where + " runs past the end of the directory");
    }
    entry.name.assign(reinterpret_cast<const char*>(p + kCentralSize), name_length);
    if (entry.compressed_size == 0xffffffffu || entry.size == 0xffffffffu ||
        entry.local_header_offset == 0xffffffffu) {
      fail(name_ + ": entry '" + entry.name + "' uses zip64 extensions, which are not supported");
    }
    if (!names.insert(entry.name).second) fail(name_ + ": corrupt zip directory: entry '" + entry.name + "' appears twice");
    pos += kCentralSize + name_length + extra_length + comment_length;
    entries_.push_back(std::move(entry));
  }
}

const ZipEntry* ZipArchive::find(const std::string& entry_name) const {
  for (const ZipEntry& entry : entries_) {
    if (entry.name == entry_name) return &entry;
  }
  return nullptr;
}

std::unique_ptr<ByteSource> ZipArchive::open(const ZipEntry& entry) {
  const std::string name = name_ + ": " + entry.name;
  if (entry.flags & 0x41) fail(name + ": encrypted zip entries are not supported");
  if (entry.method != 0 && entry.method != 8) {
    fail(name + ": compression method " + std::to_string(entry.method) +
         " is not supported (only stored and deflate; write the .npz with numpy.savez or savez_compressed)");
  }
  if (entry.method == 0 && entry.compressed_size != entry.size) {
    fail(name + ": corrupt zip directory: a stored entry of " + std::to_string(entry.size) + " bytes occupies " +
         std::to_string(entry.compressed_size));
  }
  // Deflate expands at most about 1032:1; a larger claim is a corrupt directory.
  if (entry.method == 8 && entry.size > entry.compressed_size * 1040 + 1024) {
    fail(name + ": corrupt zip directory: " + std::to_string(entry.compressed_size) +
         " compressed bytes cannot hold " + std::to_string(entry.size) + " bytes");
  }
  uint8_t local[kLocalSize];
  data_->read_at(entry.local_header_offset, local, sizeof local);
  if (u32(local) != kLocalSignature) {
    fail(name + ": corrupt zip archive: no local header at offset " + std::to_string(entry.local_header_offset));
  }
  const size_t name_length = u16(local + 26), extra_length = u16(local + 28);
  if (u16(local + 8) != entry.method) {
    fail(name + ": corrupt zip archive: the local header and the directory disagree on the compression method");
  }
  std::string local_name(name_length, '\0');
  data_->read_at(entry.local_header_offset + kLocalSize, local_name.data(), name_length);
  if (local_name != entry.name) {
    fail(name + ": corrupt zip archive: the local header names '" + local_name + "'");
  }
  const uint64_t data_offset = entry.local_header_offset + kLocalSize + name_length + extra_length;
  if (data_offset > data_->size() || entry.compressed_size > data_->size() - data_offset) {
    fail(name + ": truncated zip archive: the entry's " + std::to_string(entry.compressed_size) +
         " bytes at offset " + std::to_string(data_offset) + " lie beyond the end of the file");
  }
  return std::make_unique<EntryStream>(*data_, entry, data_offset, name);
}

std::vector<uint8_t> ZipArchive::read(const ZipEntry& entry, uint64_t max_bytes) {
  if (entry.size > max_bytes) {
    fail(name_ + ": " + entry.name + ": entry of " + std::to_string(entry.size) + " bytes exceeds the limit of " +
         std::to_string(max_bytes));
  }
  std::unique_ptr<ByteSource> stream = open(entry);
  std::vector<uint8_t> bytes(static_cast<size_t>(entry.size));
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t got = stream->read(bytes.data() + done, bytes.size() - done);
    if (got == 0) fail(stream->name() + ": entry ends early");
    done += got;
  }
  uint8_t extra = 0;
  stream->read(&extra, 1);  // the checks at the end have run; nothing follows
  return bytes;
}

uint32_t crc32_of(std::span<const uint8_t> bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t step = std::min<size_t>(bytes.size() - done, size_t(1) << 30);
    crc = ::crc32(crc, bytes.data() + done, static_cast<uInt>(step));
    done += step;
  }
  return static_cast<uint32_t>(crc);
}

std::vector<uint8_t> encode_zip(const std::vector<ZipWriteEntry>& entries) {
  std::vector<uint8_t> out, directory;
  const auto put16 = [](std::vector<uint8_t>& v, uint32_t x) {
    v.push_back(uint8_t(x));
    v.push_back(uint8_t(x >> 8));
  };
  const auto put32 = [&](std::vector<uint8_t>& v, uint64_t x) {
    if (x > 0xfffffffeull) fail("encode_zip: archive too large (zip64 is not written)");
    put16(v, uint32_t(x & 0xffff));
    put16(v, uint32_t(x >> 16));
  };
  for (const ZipWriteEntry& entry : entries) {
    std::vector<uint8_t> stored;
    const std::vector<uint8_t>* payload = &entry.data;
    if (entry.deflate) {
      z_stream z{};
      if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("encode_zip: deflateInit2");
      stored.resize(deflateBound(&z, static_cast<uLong>(entry.data.size())));
      z.next_in = const_cast<Bytef*>(entry.data.data());
      z.avail_in = static_cast<uInt>(entry.data.size());
      z.next_out = stored.data();
      z.avail_out = static_cast<uInt>(stored.size());
      const int result = deflate(&z, Z_FINISH);
      stored.resize(z.total_out);
      deflateEnd(&z);
      if (result != Z_STREAM_END) fail("encode_zip: deflate failed for " + entry.name);
      payload = &stored;
    }
    const uint32_t crc = crc32_of(entry.data);
    const uint64_t offset = out.size();
    const auto common = [&](std::vector<uint8_t>& v) {
      put16(v, 20);                        // version needed
      put16(v, 0);                         // flags
      put16(v, entry.deflate ? 8 : 0);     // method
      put16(v, 0);                         // time
      put16(v, 0x21);                      // date 1980-01-01
      put32(v, crc);
      put32(v, payload->size());
      put32(v, entry.data.size());
      put16(v, static_cast<uint32_t>(entry.name.size()));
      put16(v, 0);                         // extra length
    };
    put32(out, kLocalSignature);
    common(out);
    out.insert(out.end(), entry.name.begin(), entry.name.end());
    out.insert(out.end(), payload->begin(), payload->end());
    put32(directory, kCentralSignature);
    put16(directory, 20);  // version made by
    common(directory);
    put16(directory, 0);   // comment length
    put16(directory, 0);   // disk
    put16(directory, 0);   // internal attributes
    put32(directory, 0);   // external attributes
    put32(directory, offset);
    directory.insert(directory.end(), entry.name.begin(), entry.name.end());
  }
  if (entries.size() >= 0xffff) fail("encode_zip: too many entries (zip64 is not written)");
  const uint64_t directory_offset = out.size();
  out.insert(out.end(), directory.begin(), directory.end());
  put32(out, kEndSignature);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(entries.size()));
  put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, directory.size());
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

void write_zip(const std::filesystem::path& path, const std::vector<ZipWriteEntry>& entries) {
  const std::vector<uint8_t> bytes = encode_zip(entries);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path.string() + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path.string() + ": write error");
}

}  // namespace medrepro::datasets
