#pragma once
// ByteSource over bytes in memory (the parsers' fuzz targets and tests read
// from memory through the same code paths as from files).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "datasets/gzip_stream.h"

namespace medrepro::datasets {

// The bytes are not copied: they must outlive the source.
class MemorySource final : public ByteSource {
 public:
  MemorySource(std::span<const uint8_t> bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {}
  size_t read(void* destination, size_t size) override;
  const std::string& name() const override { return name_; }
  uint64_t position() const override { return position_; }
  std::string file_sha256() override;  // of all the bytes

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  uint64_t position_ = 0;
};

// Reads exactly `size` bytes or fails with "<name>: truncated <what> ...".
void read_exact(ByteSource& source, void* destination, size_t size, const std::string& what);
// Discards exactly `size` bytes or fails like read_exact.
void skip_exact(ByteSource& source, uint64_t size, const std::string& what);
// True if the source has no more bytes (reads at most one byte, which is lost).
bool at_end(ByteSource& source);

}  // namespace medrepro::datasets
