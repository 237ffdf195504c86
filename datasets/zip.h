#pragma once
// A small zip reader, enough for NumPy .npz files: the central directory is
// read from the end of the file, and each entry is streamed (stored, or raw
// deflate through zlib) with its CRC-32 and sizes checked when it has been
// read to its end. Not supported, each a clear Error naming the archive: zip64,
// archives split over several disks, encryption, compression methods other
// than stored (0) and deflate (8).
//
// And a small writer (stored or deflated entries) for tests and for saving
// arrays as .npz.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "datasets/gzip_stream.h"

namespace medrepro::datasets {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint16_t flags = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;    // uncompressed
  uint64_t local_header_offset = 0;
};

// Random access to the archive bytes.
class RandomAccess {
 public:
  virtual ~RandomAccess() = default;
  virtual uint64_t size() const = 0;
  // Exactly `size` bytes at `offset`; Error if they are not there.
  virtual void read_at(uint64_t offset, void* destination, size_t size) = 0;
};

class ZipArchive {
 public:
  explicit ZipArchive(const std::filesystem::path& path);
  // In-memory archive (not copied: the bytes must outlive the archive and its entry streams).
  ZipArchive(std::span<const uint8_t> bytes, std::string name);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& entry_name) const;  // nullptr if absent

  // A stream over the entry's uncompressed bytes; reading it to its end checks
  // the CRC-32 and the size. The stream must not outlive the archive. Its
  // name() is "<archive>: <entry>".
  std::unique_ptr<ByteSource> open(const ZipEntry& entry);
  // The whole entry (Error if it is larger than max_bytes).
  std::vector<uint8_t> read(const ZipEntry& entry, uint64_t max_bytes = uint64_t(1) << 32);

 private:
  void parse_directory();
  std::string name_;
  std::unique_ptr<RandomAccess> data_;
  std::vector<ZipEntry> entries_;
};

struct ZipWriteEntry {
  std::string name;
  std::vector<uint8_t> data;
  bool deflate = true;
};
// The bytes of a zip archive holding `entries`, in that order.
std::vector<uint8_t> encode_zip(const std::vector<ZipWriteEntry>& entries);
void write_zip(const std::filesystem::path& path, const std::vector<ZipWriteEntry>& entries);

uint32_t crc32_of(std::span<const uint8_t> bytes);

}  // namespace medrepro::datasets
