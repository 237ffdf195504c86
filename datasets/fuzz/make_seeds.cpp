// Writes the small seed corpora of the fuzz targets: make_seeds <folder>
// creates <folder>/{npy,zip,nifti,tar}/ with a few valid inputs each (every
// dtype/datatype, both NIfTI byte orders, stored and deflated zip entries,
// ustar/GNU/pax tar headers, a .tar.gz). Nothing binary is kept in the source
// tree: run_fuzzers.sh calls this first.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/nifti.h"
#include "datasets/npy.h"
#include "datasets/zip.h"

namespace fs = std::filesystem;
namespace ds = medrepro::datasets;
using Bytes = std::vector<uint8_t>;

namespace {

void save(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw medrepro::Error(path.string() + ": write error");
}

Bytes gzip(const Bytes& bytes) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&z, static_cast<uLong>(bytes.size())));
  z.next_in = const_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void put_octal(std::string& block, size_t offset, size_t width, uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
  block.replace(offset, width - 1, text, width - 1);
}

void add_member(std::string& tar, const std::string& name, const std::string& data, char type = '0') {
  std::string block(512, '\0');
  block.replace(0, name.size(), name);
  put_octal(block, 100, 8, 0644);
  put_octal(block, 108, 8, 0);
  put_octal(block, 116, 8, 0);
  put_octal(block, 124, 12, data.size());
  put_octal(block, 136, 12, 0);
  block[156] = type;
  block.replace(257, 6, std::string("ustar\0", 6));
  block.replace(263, 2, "00");
  block.replace(148, 8, "        ");
  unsigned sum = 0;
  for (char c : block) sum += static_cast<unsigned char>(c);
  char text[8];
  std::snprintf(text, sizeof text, "%06o", sum);
  block.replace(148, 7, std::string(text, 6) + '\0');
  tar += block;
  tar += data;
  tar.append((512 - data.size() % 512) % 512, '\0');
}

ds::Volume ramp(int d, int h, int w, double scale) {
  ds::Volume volume(d, h, w);
  for (size_t i = 0; i < volume.data.size(); ++i) volume.data[i] = static_cast<float>(double(i % 97) * scale);
  volume.spacing = {0.5, 1.0, 2.5};
  return volume;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
    return 2;
  }
  try {
    const fs::path root = argv[1];
    for (const char* name : {"npy", "zip", "nifti", "tar"}) fs::create_directories(root / name);

    // .npy: every dtype, a scalar, an empty array, versions 2.0 and 3.0.
    const std::vector<double> values = {0, 1, 2, 3, 4, 5};
    const ds::DType dtypes[] = {ds::DType::boolean, ds::DType::uint8,  ds::DType::int8,   ds::DType::uint16,
                                ds::DType::int16,   ds::DType::uint32, ds::DType::int32,  ds::DType::uint64,
                                ds::DType::int64,   ds::DType::float32, ds::DType::float64};
    for (ds::DType dtype : dtypes) {
      save(root / "npy" / (std::string(ds::dtype_name(dtype)) + ".npy"), ds::encode_npy(ds::make_npy(dtype, {2, 3}, values)));
    }
    save(root / "npy" / "scalar.npy", ds::encode_npy(ds::make_npy(ds::DType::float64, {}, std::vector<double>{2.5})));
    save(root / "npy" / "empty.npy", ds::encode_npy(ds::make_npy(ds::DType::int16, {0, 3}, std::vector<double>{})));
    Bytes v1 = ds::encode_npy(ds::make_npy(ds::DType::uint8, {3}, std::vector<double>{7, 8, 9}));
    for (int version : {2, 3}) {  // same header, 4-byte length field
      Bytes v(v1.begin(), v1.begin() + 8);
      v[6] = static_cast<uint8_t>(version);
      const size_t length = size_t(v1[8]) | size_t(v1[9]) << 8;
      for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(length >> (8 * i)));
      v.insert(v.end(), v1.begin() + 10, v1.end());
      save(root / "npy" / ("version" + std::to_string(version) + ".npy"), v);
    }

    // .npz: stored and deflated entries.
    const Bytes images = ds::encode_npy(ds::make_npy(ds::DType::uint8, {2, 2, 2}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));
    const Bytes labels = ds::encode_npy(ds::make_npy(ds::DType::int64, {2, 1}, std::vector<double>{0, 1}));
    save(root / "zip" / "stored.npz", ds::encode_zip({{"train_images.npy", images, false}, {"train_labels.npy", labels, false}}));
    save(root / "zip" / "deflated.npz", ds::encode_zip({{"train_images.npy", images, true}, {"train_labels.npy", labels, true}}));
    save(root / "zip" / "mixed.npz", ds::encode_zip({{"a.npy", images, true}, {"b.txt", Bytes{'h', 'i'}, false}}));

    // NIfTI-1: each datatype, both byte orders, scaling.
    const std::pair<int, const char*> types[] = {{ds::nifti_type::uint8, "uint8"},     {ds::nifti_type::int16, "int16"},
                                                 {ds::nifti_type::int32, "int32"},     {ds::nifti_type::float32, "float32"},
                                                 {ds::nifti_type::float64, "float64"}, {ds::nifti_type::uint16, "uint16"}};
    for (const auto& [code, name] : types) {
      for (bool big : {false, true}) {
        ds::NiftiWriteOptions options;
        options.datatype = code;
        options.big_endian = big;
        save(root / "nifti" / (std::string(name) + (big ? "_be" : "_le") + ".nii"),
             ds::encode_nifti(ramp(3, 4, 5, 1.0), options));
      }
    }
    ds::NiftiWriteOptions scaled;
    scaled.datatype = ds::nifti_type::int16;
    scaled.scl_slope = 0.5f;
    scaled.scl_inter = -3.0f;
    save(root / "nifti" / "scaled.nii", ds::encode_nifti(ramp(2, 2, 2, 0.5), scaled));

    // tar: ustar members, a folder, a GNU long name, a pax path; plain and gzip.
    std::string tar;
    add_member(tar, "set/", "", '5');
    add_member(tar, "set/a.txt", "hello");
    add_member(tar, "././@LongLink", std::string(120, 'n') + '\0', 'L');
    add_member(tar, "short", "long-named content");
    add_member(tar, "PaxHeaders/x", "25 path=set/pax-name.bin\n", 'x');
    add_member(tar, "x", std::string(600, 'p'));
    add_member(tar, "set/link", "", '2');
    tar.append(1024, '\0');
    const Bytes tar_bytes(tar.begin(), tar.end());
    save(root / "tar" / "members.tar", tar_bytes);
    save(root / "tar" / "members.tar.gz", gzip(tar_bytes));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
