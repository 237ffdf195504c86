#pragma once
// Streaming reader for tar archives (.tar or .tar.gz), member by member, without
// extracting anything to disk. Understands POSIX ustar (name + prefix), GNU long
// names and link names (typeflag L/K, base-256 sizes) and pax extended headers
// (path, linkpath, size). Names are returned with any leading "./" and trailing
// "/" removed.
//
// Every header checksum is verified; a bad one, a member cut short, or an
// archive that ends without its end-of-archive marker is a medrepro::Error that
// names the archive and the byte offset in the tar stream. After the end marker
// the rest of the stream is read, so a gzip CRC error anywhere is still caught
// before next() reports the end.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "datasets/gzip_stream.h"

namespace medrepro::datasets {

enum class TarType { regular, directory, symlink, hardlink, other };

struct TarEntry {
  std::string name;         // e.g. "MedNIST/Hand/000123.jpeg"
  uint64_t size = 0;        // bytes of content (0 for directories and links)
  TarType type = TarType::other;
  char typeflag = 0;        // the raw tar typeflag ('0', '5', ...)
  std::string link_target;  // for symlinks and hard links
  uint64_t header_offset = 0;  // where this entry's header starts in the (decompressed) tar stream
};

class TarReader {
 public:
  explicit TarReader(const std::filesystem::path& path);  // gzip detected from the magic bytes
  explicit TarReader(std::unique_ptr<ByteSource> source);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // The next entry, or nullptr at the end of the archive. Unread content of the
  // previous entry is skipped. The pointer stays valid until the next call.
  const TarEntry* next();

  // Content of the current entry (all of what is left of it). Error if it is
  // larger than max_bytes (a guard against corrupt sizes).
  std::vector<uint8_t> read_all(uint64_t max_bytes = uint64_t(1) << 31);
  // Reads up to `size` bytes of the current entry; 0 at its end.
  size_t read(void* destination, size_t size);

  // SHA-256 of the archive file (the compressed bytes for .tar.gz). Reads what
  // is left of the file; no entry can be read afterwards.
  std::string archive_sha256();

  const std::string& name() const;

 private:
  void read_exact(void* destination, size_t size, const char* what);
  void skip(uint64_t size, const char* what);
  void finish();

  std::unique_ptr<ByteSource> source_;
  TarEntry entry_;
  uint64_t offset_ = 0;     // position in the tar stream
  uint64_t remaining_ = 0;  // unread content bytes of the current entry
  uint64_t padding_ = 0;    // bytes after the content up to the next 512-byte block
  bool ended_ = false;
};

}  // namespace medrepro::datasets
