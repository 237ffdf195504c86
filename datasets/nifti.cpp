#include "datasets/nifti.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "datasets/memory_source.h"

namespace medrepro::datasets {
namespace {

constexpr size_t kHeaderSize = 348;

struct TypeInfo {
  int code;
  int bitpix;
  const char* name;
};
constexpr TypeInfo kTypes[] = {
    {nifti_type::uint8, 8, "uint8"},     {nifti_type::int8, 8, "int8"},     {nifti_type::int16, 16, "int16"},
    {nifti_type::uint16, 16, "uint16"},  {nifti_type::int32, 32, "int32"},  {nifti_type::uint32, 32, "uint32"},
    {nifti_type::float32, 32, "float32"}, {nifti_type::float64, 64, "float64"},
};

const TypeInfo* find_type(int code) {
  for (const TypeInfo& type : kTypes) {
    if (type.code == code) return &type;
  }
  return nullptr;
}

std::string type_name(int code) {
  if (const TypeInfo* type = find_type(code)) return type->name;
  switch (code) {
    case 0: return "unknown (0)";
    case 1: return "binary (1)";
    case 32: return "complex64 (32)";
    case 128: return "RGB24 (128)";
    case 1024: return "int64 (1024)";
    case 1280: return "uint64 (1280)";
    case 1536: return "float128 (1536)";
    case 1792: return "complex128 (1792)";
    case 2048: return "complex256 (2048)";
    case 2304: return "RGBA32 (2304)";
    default: return "code " + std::to_string(code);
  }
}

// Reads little- or big-endian fields of the header.
struct Fields {
  const uint8_t* p;
  bool swap;
  uint32_t u32(size_t offset) const {
    uint32_t v;
    std::memcpy(&v, p + offset, 4);
    return swap ? __builtin_bswap32(v) : v;
  }
  int32_t i32(size_t offset) const { return static_cast<int32_t>(u32(offset)); }
  int16_t i16(size_t offset) const {
    uint16_t v;
    std::memcpy(&v, p + offset, 2);
    if (swap) v = __builtin_bswap16(v);
    return static_cast<int16_t>(v);
  }
  float f32(size_t offset) const { return std::bit_cast<float>(u32(offset)); }
};

std::string dims_text(const NiftiHeader& header) {
  std::string text;
  for (int64_t i = 1; i <= header.dim[0]; ++i) {
    if (i > 1) text += "x";
    text += std::to_string(header.dim[size_t(i)]);
  }
  return text;
}

double unit_to_mm(int xyzt_units) {
  switch (xyzt_units & 7) {
    case 1: return 1000.0;  // metre
    case 3: return 0.001;   // micron
    default: return 1.0;    // mm or unknown
  }
}

template <typename T>
T load(const uint8_t* p, bool swap) {
  if constexpr (sizeof(T) == 1) {
    return static_cast<T>(*p);
  } else {
    std::array<uint8_t, sizeof(T)> bytes;
    std::memcpy(bytes.data(), p, sizeof(T));
    if (swap) std::reverse(bytes.begin(), bytes.end());
    return std::bit_cast<T>(bytes);
  }
}

template <typename T>
void convert(const uint8_t* raw, size_t count, bool swap, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(load<T>(raw + i * sizeof(T), swap));
}

// Reads the voxel data, growing the buffer as it arrives; errors say how the size differs from the header's.
std::vector<uint8_t> read_data(ByteSource& source, const NiftiHeader& header, uint64_t offset) {
  const uint64_t total = uint64_t(header.voxel_count()) * header.bytes_per_voxel();
  const auto mismatch = [&](const std::string& what) {
    fail(source.name() + ": the data does not match the header: dims " + dims_text(header) + " of " +
         type_name(header.datatype) + " need " + std::to_string(total) + " bytes from offset " +
         std::to_string(offset) + ", " + what);
  };
  std::vector<uint8_t> raw;
  const uint64_t chunk = uint64_t(1) << 26;
  uint64_t done = 0;
  while (done < total) {
    const size_t step = static_cast<size_t>(std::min(chunk, total - done));
    raw.resize(static_cast<size_t>(done) + step);
    size_t filled = 0;
    while (filled < step) {
      const size_t got = source.read(raw.data() + done + filled, step - filled);
      if (got == 0) {
        mismatch("but the file ends after " + std::to_string(done + filled) + " of them (truncated file, or wrong dims)");
      }
      filled += got;
    }
    done += step;
  }
  uint8_t extra[4096];
  uint64_t extra_bytes = 0;
  while (size_t got = source.read(extra, sizeof extra)) {
    extra_bytes += got;
    if (extra_bytes > (uint64_t(1) << 30)) break;
  }
  if (extra_bytes > 0) mismatch("but " + std::to_string(extra_bytes) + " more bytes follow them (wrong dims?)");
  return raw;
}

Volume decode(const NiftiHeader& header, const std::vector<uint8_t>& raw) {
  Volume volume;
  volume.width = static_cast<int>(header.dim[1]);
  volume.height = header.dim[0] >= 2 ? static_cast<int>(header.dim[2]) : 1;
  volume.depth = header.dim[0] >= 3 ? static_cast<int>(header.dim[3]) : 1;
  const double to_mm = unit_to_mm(header.xyzt_units);
  for (size_t axis = 0; axis < 3; ++axis) {
    const double p = std::abs(double(header.pixdim[axis + 1]));
    volume.spacing[axis] = std::isfinite(p) && p > 0 && int64_t(axis) < header.dim[0] ? p * to_mm : 1.0;
  }
  const size_t n = header.voxel_count();
  volume.data.resize(n);
  float* out = volume.data.data();
  const bool swap = header.big_endian != (std::endian::native == std::endian::big);
  switch (header.datatype) {
    case nifti_type::uint8: convert<uint8_t>(raw.data(), n, swap, out); break;
    case nifti_type::int8: convert<int8_t>(raw.data(), n, swap, out); break;
    case nifti_type::int16: convert<int16_t>(raw.data(), n, swap, out); break;
    case nifti_type::uint16: convert<uint16_t>(raw.data(), n, swap, out); break;
    case nifti_type::int32: convert<int32_t>(raw.data(), n, swap, out); break;
    case nifti_type::uint32: convert<uint32_t>(raw.data(), n, swap, out); break;
    case nifti_type::float32: convert<float>(raw.data(), n, swap, out); break;
    case nifti_type::float64: convert<double>(raw.data(), n, swap, out); break;
    default: fail("nifti: unreachable datatype");
  }
  const float slope = header.scl_slope;
  if (std::isfinite(slope) && slope != 0.0f) {
    const float inter = std::isfinite(header.scl_inter) ? header.scl_inter : 0.0f;
    if (slope != 1.0f || inter != 0.0f) {
      for (float& v : volume.data) v = v * slope + inter;
    }
  }
  return volume;
}

void check_size(const NiftiHeader& header, const std::string& name, const NiftiOptions& options) {
  const uint64_t item = header.bytes_per_voxel();
  uint64_t total = item;
  for (int64_t i = 1; i <= header.dim[0]; ++i) {
    const uint64_t d = uint64_t(header.dim[size_t(i)]);
    if (total > options.max_bytes / d) {
      fail(name + ": dims " + dims_text(header) + " of " + type_name(header.datatype) + " exceed the limit of " +
           std::to_string(options.max_bytes) + " bytes (corrupt header?)");
    }
    total *= d;
  }
}

NiftiImage read_single(ByteSource& source, const NiftiOptions& options) {
  uint8_t bytes[kHeaderSize];
  const size_t got = source.read(bytes, kHeaderSize);
  if (got < kHeaderSize) {
    fail(source.name() + ": not a NIfTI-1 file (" + std::to_string(got) + " bytes, shorter than the 348-byte header)");
  }
  NiftiImage image;
  image.header = parse_nifti_header(bytes, source.name());
  if (!image.header.single_file) {
    fail(source.name() + ": magic 'ni1' marks a header-only .hdr file; its voxels are in the .img beside it "
                         "(open the .hdr path)");
  }
  if (image.header.vox_offset < 352) {
    fail(source.name() + ": vox_offset " + std::to_string(image.header.vox_offset) +
         " lies inside the header (a single-file NIfTI-1 image has vox_offset >= 352)");
  }
  check_size(image.header, source.name(), options);
  const uint64_t offset = static_cast<uint64_t>(image.header.vox_offset);
  skip_exact(source, offset - kHeaderSize, "the header extensions before vox_offset " + std::to_string(offset));
  const std::vector<uint8_t> raw = read_data(source, image.header, offset);
  image.volume = decode(image.header, raw);
  return image;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

size_t NiftiHeader::voxel_count() const {
  size_t n = 1;
  for (int64_t i = 1; i <= dim[0]; ++i) n *= size_t(dim[size_t(i)]);
  return n;
}

size_t NiftiHeader::bytes_per_voxel() const {
  const TypeInfo* type = find_type(datatype);
  return type != nullptr ? size_t(type->bitpix / 8) : 0;
}

NiftiHeader parse_nifti_header(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() < kHeaderSize) {
    fail(name + ": not a NIfTI-1 file (" + std::to_string(bytes.size()) + " bytes, shorter than the 348-byte header)");
  }
  uint32_t native;
  std::memcpy(&native, bytes.data(), 4);
  const uint32_t swapped = __builtin_bswap32(native);
  if (native == 540 || swapped == 540) {
    fail(name + ": a NIfTI-2 file (sizeof_hdr 540); only NIfTI-1 is read (convert it, e.g. with nibabel)");
  }
  if (native != 348 && swapped != 348) {
    fail(name + ": not a NIfTI-1 file (sizeof_hdr is " + std::to_string(native) +
         ", expected 348 in either byte order)");
  }
  const bool swap = native != 348;
  NiftiHeader header;
  header.big_endian = (std::endian::native == std::endian::big) != swap;  // the file's byte order
  const Fields f{bytes.data(), swap};
  const uint8_t* magic = bytes.data() + 344;
  if (std::memcmp(magic, "n+1\0", 4) == 0) {
    header.single_file = true;
  } else if (std::memcmp(magic, "ni1\0", 4) == 0) {
    header.single_file = false;
  } else {
    fail(name + ": no NIfTI-1 magic ('n+1' or 'ni1') at byte 344: an Analyze 7.5 file or a corrupt header");
  }
  header.dim[0] = f.i16(40);
  if (header.dim[0] < 1 || header.dim[0] > 7) {
    fail(name + ": dim[0] = " + std::to_string(header.dim[0]) + " is not a number of dimensions in 1..7 (corrupt header)");
  }
  for (size_t i = 1; i < 8; ++i) {
    header.dim[i] = f.i16(40 + 2 * i);
    if (int64_t(i) <= header.dim[0] && header.dim[i] < 1) {
      fail(name + ": dim[" + std::to_string(i) + "] = " + std::to_string(header.dim[i]) + " (dims must be positive)");
    }
  }
  for (int64_t i = 4; i <= header.dim[0]; ++i) {
    if (header.dim[size_t(i)] != 1) {
      fail(name + ": a " + std::to_string(header.dim[0]) + "D image (dims " + dims_text(header) +
           "); only 3D volumes (and 2D images) are read");
    }
  }
  for (size_t i = 0; i < 8; ++i) header.pixdim[i] = f.f32(76 + 4 * i);
  header.datatype = f.i16(70);
  header.bitpix = f.i16(72);
  const TypeInfo* type = find_type(header.datatype);
  if (type == nullptr) {
    fail(name + ": unsupported NIfTI datatype " + type_name(header.datatype) +
         "; supported: uint8, int8, int16, uint16, int32, uint32, float32, float64");
  }
  if (header.bitpix != type->bitpix) {
    fail(name + ": bitpix " + std::to_string(header.bitpix) + " disagrees with datatype " + type->name + " (" +
         std::to_string(type->bitpix) + " bits): corrupt header");
  }
  const float vox_offset = f.f32(108);
  if (!std::isfinite(vox_offset) || vox_offset < 0 || vox_offset > 1.0e9f || vox_offset != std::floor(vox_offset)) {
    fail(name + ": bad vox_offset " + std::to_string(vox_offset) + " (must be a non-negative whole number of bytes)");
  }
  header.vox_offset = vox_offset;
  header.scl_slope = f.f32(112);
  header.scl_inter = f.f32(116);
  header.xyzt_units = bytes[123];
  header.qform_code = f.i16(252);
  header.sform_code = f.i16(254);
  for (size_t i = 0; i < 3; ++i) {
    header.quatern[i] = f.f32(256 + 4 * i);
    header.qoffset[i] = f.f32(268 + 4 * i);
  }
  for (size_t r = 0; r < 3; ++r) {
    for (size_t c = 0; c < 4; ++c) header.srow[r][c] = f.f32(280 + 16 * r + 4 * c);
  }
  const auto* text = reinterpret_cast<const char*>(bytes.data() + 148);
  header.description.assign(text, strnlen(text, 80));
  return header;
}

NiftiImage read_nifti(ByteSource& source, const NiftiOptions& options) { return read_single(source, options); }

NiftiImage parse_nifti(std::span<const uint8_t> bytes, const std::string& name, const NiftiOptions& options) {
  MemorySource source(bytes, name);
  NiftiImage image = read_single(source, options);
  image.sha256 = source.file_sha256();
  return image;
}

NiftiImage read_nifti(const std::filesystem::path& path, const NiftiOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path.string() + ": no such file (expected a NIfTI-1 .nii or .nii.gz)");
  const std::string file = path.filename().string();
  if (ends_with(file, ".hdr") || ends_with(file, ".hdr.gz")) {
    std::unique_ptr<ByteSource> header_source = open_byte_source(path);
    uint8_t bytes[kHeaderSize];
    read_exact(*header_source, bytes, kHeaderSize, "the NIfTI-1 header");
    NiftiImage image;
    image.header = parse_nifti_header(bytes, path.string());
    if (image.header.single_file) {
      fail(path.string() + ": magic 'n+1' marks a single-file image, but the file is named .hdr");
    }
    check_size(image.header, path.string(), options);
    const std::string stem = file.substr(0, file.rfind(".hdr"));
    std::filesystem::path image_path = path.parent_path() / (stem + ".img");
    if (!std::filesystem::exists(image_path, ec)) image_path += ".gz";
    if (!std::filesystem::exists(image_path, ec)) {
      fail(path.string() + ": its voxel file " + (path.parent_path() / (stem + ".img")).string() + "(.gz) is missing");
    }
    std::unique_ptr<ByteSource> data = open_byte_source(image_path);
    const uint64_t offset = static_cast<uint64_t>(image.header.vox_offset);
    skip_exact(*data, offset, "the bytes before vox_offset " + std::to_string(offset));
    image.volume = decode(image.header, read_data(*data, image.header, offset));
    image.sha256 = data->file_sha256();
    return image;
  }
  std::unique_ptr<ByteSource> source = open_byte_source(path);
  NiftiImage image = read_single(*source, options);
  image.sha256 = source->file_sha256();
  return image;
}

LabelVolume to_labels(const Volume& volume, const std::string& name) {
  LabelVolume labels;
  labels.depth = volume.depth;
  labels.height = volume.height;
  labels.width = volume.width;
  labels.spacing = volume.spacing;
  labels.data.resize(volume.data.size());
  for (size_t i = 0; i < volume.data.size(); ++i) {
    const float v = volume.data[i];
    if (!(v >= 0.0f && v <= 255.0f && v == std::floor(v))) {
      const size_t x = i % size_t(volume.width), y = i / size_t(volume.width) % size_t(volume.height),
                   z = i / volume.plane();
      fail(name + ": value " + std::to_string(v) + " at voxel (" + std::to_string(x) + ", " + std::to_string(y) +
           ", " + std::to_string(z) + ") is not a label (an integer in 0..255)");
    }
    labels.data[i] = static_cast<uint8_t>(v);
  }
  return labels;
}

LabelVolume read_nifti_labels(const std::filesystem::path& path, const NiftiOptions& options) {
  return to_labels(read_nifti(path, options).volume, path.string());
}

std::vector<uint8_t> encode_nifti(const Volume& volume, const NiftiWriteOptions& options) {
  const TypeInfo* type = find_type(options.datatype);
  if (type == nullptr) fail("encode_nifti: unsupported datatype " + type_name(options.datatype));
  if (volume.data.size() != volume.size() || volume.width < 1 || volume.height < 1 || volume.depth < 1 ||
      volume.width > 32767 || volume.height > 32767 || volume.depth > 32767) {
    fail("encode_nifti: bad volume " + volume.shape_text());
  }
  if (!(options.scl_slope != 0.0f && std::isfinite(options.scl_slope))) fail("encode_nifti: scl_slope must be finite, not 0");
  const bool swap = options.big_endian != (std::endian::native == std::endian::big);
  std::vector<uint8_t> out(352, 0);
  const auto put = [&](size_t offset, auto value) {
    std::array<uint8_t, sizeof value> bytes = std::bit_cast<std::array<uint8_t, sizeof value>>(value);
    if (swap) std::reverse(bytes.begin(), bytes.end());
    std::memcpy(out.data() + offset, bytes.data(), bytes.size());
  };
  put(0, int32_t(348));
  const int16_t dims[8] = {3, int16_t(volume.width), int16_t(volume.height), int16_t(volume.depth), 1, 1, 1, 1};
  for (size_t i = 0; i < 8; ++i) put(40 + 2 * i, dims[i]);
  put(70, int16_t(type->code));
  put(72, int16_t(type->bitpix));
  const float pixdim[8] = {1.0f, float(volume.spacing[0]), float(volume.spacing[1]), float(volume.spacing[2]), 0, 0, 0, 0};
  for (size_t i = 0; i < 8; ++i) put(76 + 4 * i, pixdim[i]);
  put(108, 352.0f);
  put(112, options.scl_slope);
  put(116, options.scl_inter);
  out[123] = 2;  // mm
  std::memcpy(out.data() + 148, options.description.data(), std::min<size_t>(options.description.size(), 79));
  put(254, int16_t(1));  // sform_code: scanner
  for (size_t r = 0; r < 3; ++r) put(280 + 16 * r + 4 * r, float(volume.spacing[r]));
  std::memcpy(out.data() + 344, "n+1\0", 4);
  const size_t item = size_t(type->bitpix / 8);
  out.resize(352 + volume.size() * item);
  uint8_t* data = out.data() + 352;
  const bool integer = type->code != nifti_type::float32 && type->code != nifti_type::float64;
  for (size_t i = 0; i < volume.size(); ++i) {
    double v = double(volume.data[i]);
    if (integer) {
      v = std::nearbyint((v - options.scl_inter) / options.scl_slope);
    } else if (options.scl_slope != 1.0f || options.scl_inter != 0.0f) {
      v = (v - options.scl_inter) / options.scl_slope;
    }
    const auto store = [&](auto typed) {
      using T = decltype(typed);
      if constexpr (std::is_integral_v<T>) {
        if (!(v >= double(std::numeric_limits<T>::min()) && v <= double(std::numeric_limits<T>::max()))) {
          fail("encode_nifti: value " + std::to_string(volume.data[i]) + " at index " + std::to_string(i) +
               " does not fit " + type->name);
        }
      }
      const T value = static_cast<T>(v);
      std::array<uint8_t, sizeof(T)> bytes = std::bit_cast<std::array<uint8_t, sizeof(T)>>(value);
      if (swap) std::reverse(bytes.begin(), bytes.end());
      std::memcpy(data + i * sizeof(T), bytes.data(), sizeof(T));
    };
    switch (type->code) {
      case nifti_type::uint8: store(uint8_t{}); break;
      case nifti_type::int8: store(int8_t{}); break;
      case nifti_type::int16: store(int16_t{}); break;
      case nifti_type::uint16: store(uint16_t{}); break;
      case nifti_type::int32: store(int32_t{}); break;
      case nifti_type::uint32: store(uint32_t{}); break;
      case nifti_type::float32: store(float{}); break;
      case nifti_type::float64: store(double{}); break;
      default: break;
    }
  }
  return out;
}

void write_nifti(const std::filesystem::path& path, const Volume& volume, const NiftiWriteOptions& options) {
  std::vector<uint8_t> bytes = encode_nifti(volume, options);
  if (ends_with(path.filename().string(), ".gz")) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("write_nifti: deflateInit2");
    std::vector<uint8_t> packed(deflateBound(&z, static_cast<uLong>(bytes.size())));
    z.next_in = bytes.data();
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = packed.data();
    z.avail_out = static_cast<uInt>(packed.size());
    const int result = deflate(&z, Z_FINISH);
    packed.resize(z.total_out);
    deflateEnd(&z);
    if (result != Z_STREAM_END) fail(path.string() + ": gzip compression failed");
    bytes.swap(packed);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path.string() + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path.string() + ": write error");
}

}  // namespace medrepro::datasets
