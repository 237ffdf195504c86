#include "datasets/memory_source.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {

size_t MemorySource::read(void* destination, size_t size) {
  const size_t available = bytes_.size() - static_cast<size_t>(position_);
  const size_t count = std::min(size, available);
  if (count > 0) std::memcpy(destination, bytes_.data() + position_, count);
  position_ += count;
  return count;
}

std::string MemorySource::file_sha256() { return Sha256::to_hex(sha256(bytes_.data(), bytes_.size())); }

void read_exact(ByteSource& source, void* destination, size_t size, const std::string& what) {
  auto* out = static_cast<uint8_t*>(destination);
  size_t done = 0;
  while (done < size) {
    const size_t got = source.read(out + done, size - done);
    if (got == 0) {
      fail(source.name() + ": truncated file: it ends after " + std::to_string(source.position()) +
           " bytes, inside " + what + " (" + std::to_string(size - done) + " more bytes expected)");
    }
    done += got;
  }
}

void skip_exact(ByteSource& source, uint64_t size, const std::string& what) {
  uint8_t buffer[1 << 14];
  while (size > 0) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(size, sizeof buffer));
    read_exact(source, buffer, step, what);
    size -= step;
  }
}

bool at_end(ByteSource& source) {
  uint8_t byte = 0;
  return source.read(&byte, 1) == 0;
}

}  // namespace medrepro::datasets
