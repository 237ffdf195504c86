#pragma once
// Forward-only byte streams over a file, decompressing gzip on the fly through
// zlib's inflate: an archive is read once, front to back, in fixed-size chunks,
// and never held whole in memory. Every file byte read is also fed to SHA-256,
// so one pass both reads an archive and fingerprints it.
//
// Errors (medrepro::Error) name the file and say what is wrong: a missing file,
// a file that is not gzip, a stream that ends early ("truncated gzip stream
// after N bytes"), corrupt deflate data or a CRC/length mismatch in a gzip
// trailer, data after the end of the stream. Multi-member gzip files (cat a.gz
// b.gz) are read as one stream, as gzip(1) does; zero padding after the last
// member is accepted.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace medrepro::datasets {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns fewer only at the end of the stream (0 after it).
  virtual size_t read(void* destination, size_t size) = 0;
  // The path as given, for messages.
  virtual const std::string& name() const = 0;
  // Bytes delivered by read() so far.
  virtual uint64_t position() const = 0;
  // SHA-256 of the whole underlying file (all of its bytes, compressed or not).
  // Reads the rest of the file raw if the stream was not read to its end; the
  // stream cannot be read afterwards.
  virtual std::string file_sha256() = 0;
};

class HashedFile;

// A plain file.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  size_t read(void* destination, size_t size) override;
  const std::string& name() const override { return name_; }
  uint64_t position() const override { return position_; }
  std::string file_sha256() override;

 private:
  std::string name_;
  std::unique_ptr<HashedFile> file_;
  uint64_t position_ = 0;
};

// A gzip file, decompressed as it is read.
class GzipReader final : public ByteSource {
 public:
  explicit GzipReader(const std::filesystem::path& path);
  ~GzipReader() override;
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  size_t read(void* destination, size_t size) override;
  const std::string& name() const override { return name_; }
  uint64_t position() const override { return position_; }  // decompressed bytes delivered
  uint64_t compressed_position() const;                     // file bytes consumed by inflate
  std::string file_sha256() override;

 private:
  struct State;
  std::string name_;
  std::unique_ptr<HashedFile> file_;
  std::unique_ptr<State> state_;
  uint64_t position_ = 0;
};

// True if the file starts with the gzip magic bytes 1f 8b.
bool is_gzip_file(const std::filesystem::path& path);

// A GzipReader for a gzip file, else a FileSource. Error if the file cannot be opened.
std::unique_ptr<ByteSource> open_byte_source(const std::filesystem::path& path);

}  // namespace medrepro::datasets
