#pragma once
// NumPy .npy arrays: format versions 1.0, 2.0 and 3.0, little-endian (or
// byte-order-free) numeric dtypes in C order. Read from a file (plain or
// gzip-compressed), from any ByteSource (a zip entry of an .npz), or from
// memory; written in format 1.0 (2.0 when the header needs it).
//
// Errors name the file: bad magic, unknown version, a malformed header
// dictionary, an unsupported dtype (structured, big-endian, strings, objects,
// complex, float16), a Fortran-order array, data shorter or longer than the
// shape says.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "datasets/gzip_stream.h"

namespace medrepro::datasets {

enum class DType { boolean, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);   // "uint8", "float32", ...
const char* dtype_descr(DType dtype);  // the .npy descr: "|u1", "<f4", ...

struct NpyArray {
  DType dtype = DType::uint8;
  std::vector<size_t> shape;   // () for a scalar
  std::vector<uint8_t> bytes;  // count() * dtype_size(dtype), little-endian, C order

  size_t count() const;        // product of the shape (1 for a scalar)
  std::string shape_text() const;  // "(1188, 28, 28, 28)"
  // Element i converted to double / to float (exact for every integer below 2^53 / 2^24).
  double value(size_t i) const;
  std::vector<float> to_float() const;
  std::vector<int64_t> to_int64() const;  // Error (naming `name`) if a value is not an integer
  const uint8_t* data() const { return bytes.data(); }
};

struct NpyOptions {
  uint64_t max_bytes = uint64_t(1) << 36;  // refuse arrays larger than this (a guard against corrupt shapes)
};

// Reads one array from the current position of `source` to its end: trailing
// bytes after the array data are an error.
NpyArray read_npy(ByteSource& source, const NpyOptions& options = {});
NpyArray read_npy(const std::filesystem::path& path, const NpyOptions& options = {});  // .npy or .npy.gz
NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name, const NpyOptions& options = {});

// The .npy file bytes for an array (little-endian, C order).
std::vector<uint8_t> encode_npy(const NpyArray& array);
void write_npy(const std::filesystem::path& path, const NpyArray& array);

// Builds an array from values (converted with static_cast; the caller picks a dtype that holds them).
NpyArray make_npy(DType dtype, std::vector<size_t> shape, std::span<const double> values);
NpyArray make_npy_uint8(std::vector<size_t> shape, std::span<const uint8_t> values);

}  // namespace medrepro::datasets
