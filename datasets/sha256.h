#pragma once
// SHA-256 (FIPS 180-4), small and dependency-free: used to record which exact
// data file a run read (the hash goes into every report) and to find
// byte-identical images.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace medrepro::datasets {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::span<const uint8_t> bytes) { update(bytes.data(), bytes.size()); }
  void update(std::string_view text) { update(text.data(), text.size()); }
  Sha256Digest finish();  // the object must not be updated afterwards
  std::string finish_hex() { return to_hex(finish()); }

  static std::string to_hex(const Sha256Digest& digest);

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

Sha256Digest sha256(const void* data, size_t size);
std::string sha256_hex(std::string_view bytes);
std::string sha256_hex(std::span<const uint8_t> bytes);
std::string sha256_file_hex(const std::filesystem::path& path);  // Error if unreadable

// The first 8 bytes of a digest as a big-endian integer: a content key for grouping.
uint64_t digest_prefix64(const Sha256Digest& digest);

}  // namespace medrepro::datasets
