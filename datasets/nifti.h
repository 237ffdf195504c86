#pragma once
// NIfTI-1 images: single-file .nii and .nii.gz (magic "n+1"), and header/image
// pairs .hdr + .img (magic "ni1", either part optionally gzipped). Both byte
// orders (detected from sizeof_hdr = 348 and swapped). Datatypes uint8, int8,
// int16, uint16, int32, uint32, float32, float64; scl_slope/scl_inter applied
// (a slope of 0 or NaN means no scaling, as the standard says); vox_offset
// honoured (extensions between the header and the data are skipped).
//
// The volume comes back as float in the Grid layout of volume.h (x fastest):
// width = dim[1], height = dim[2], depth = dim[3]; spacing = |pixdim[1..3]|
// converted to mm from xyzt_units (a missing or zero pixdim reads as 1).
//
// Errors name the file: not NIfTI-1 (wrong sizeof_hdr, no magic: an Analyze
// or NIfTI-2 file), dim[0] outside 1..7, zero or negative dims, more than 3
// non-singleton dims, an unknown datatype or one whose bitpix disagrees, a
// vox_offset inside the header, and data shorter or longer than the dims say.
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "datasets/gzip_stream.h"
#include "datasets/volume.h"

namespace medrepro::datasets {

namespace nifti_type {
inline constexpr int uint8 = 2, int16 = 4, int32 = 8, float32 = 16, float64 = 64, int8 = 256, uint16 = 512,
                     uint32 = 768;
}

struct NiftiHeader {
  bool big_endian = false;
  bool single_file = true;  // "n+1"; false for "ni1" (.hdr + .img)
  std::array<int64_t, 8> dim{};   // dim[0] = number of dimensions
  std::array<float, 8> pixdim{};
  int datatype = 0;
  int bitpix = 0;
  double vox_offset = 0;
  float scl_slope = 0, scl_inter = 0;
  int xyzt_units = 0;
  int qform_code = 0, sform_code = 0;
  std::array<float, 3> quatern{};             // b, c, d
  std::array<float, 3> qoffset{};             // x, y, z
  std::array<std::array<float, 4>, 3> srow{};  // sform rows
  std::string description;

  size_t voxel_count() const;  // product of dim[1..dim[0]]
  size_t bytes_per_voxel() const;
};

struct NiftiImage {
  NiftiHeader header;
  Volume volume;        // scaled values as float
  std::string sha256;   // of the file read (the .img for a pair)
};

struct NiftiOptions {
  uint64_t max_bytes = uint64_t(1) << 34;  // guard against corrupt dims
};

// Parses and checks the 348-byte header. Error naming `name`.
NiftiHeader parse_nifti_header(std::span<const uint8_t> bytes, const std::string& name);

NiftiImage read_nifti(const std::filesystem::path& path, const NiftiOptions& options = {});
// A single-file image from a stream positioned at its start (.nii bytes; gzip already undone).
NiftiImage read_nifti(ByteSource& source, const NiftiOptions& options = {});
NiftiImage parse_nifti(std::span<const uint8_t> bytes, const std::string& name, const NiftiOptions& options = {});

// A label map: every value must be an integer in 0..255 (Error naming the file and the first offending voxel).
LabelVolume read_nifti_labels(const std::filesystem::path& path, const NiftiOptions& options = {});
LabelVolume to_labels(const Volume& volume, const std::string& name);

struct NiftiWriteOptions {
  int datatype = nifti_type::float32;
  float scl_slope = 1.0f, scl_inter = 0.0f;  // stored = round((value - inter) / slope) for integer types
  bool big_endian = false;
  std::string description;
};
// A single-file image (.nii; gzip-compressed if the name ends in .gz). Error if
// a value does not fit the datatype.
std::vector<uint8_t> encode_nifti(const Volume& volume, const NiftiWriteOptions& options = {});
void write_nifti(const std::filesystem::path& path, const Volume& volume, const NiftiWriteOptions& options = {});

}  // namespace medrepro::datasets
