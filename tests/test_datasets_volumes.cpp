// Array and volume readers: .npy, zip/.npz, MedMNIST, MRNet, NIfTI-1, BraTS
// case folders, BrainTumorMRI with its official split. CPU only. Files are
// written by the tests themselves, plus the real sets in
// $MEDREPRO_SHARED/datasets when present (skipped with a message otherwise).
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/brain_tumor_mri.h"
#include "datasets/brats.h"
#include "datasets/medmnist.h"
#include "datasets/mrnet.h"
#include "datasets/nifti.h"
#include "datasets/npy.h"
#include "datasets/npz.h"
#include "datasets/provenance.h"
#include "datasets/zip.h"

namespace ds = medrepro::datasets;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / ("medrepro_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes gzip(const Bytes& bytes) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&z, static_cast<uLong>(bytes.size())));
  z.next_in = const_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes text_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

// A .npy file with a hand-written header (version 1.0, padded to 64 bytes).
Bytes npy_with_header(const std::string& dict, const Bytes& data, int version = 1) {
  std::string header = dict;
  const size_t preamble = version == 1 ? 10 : 12;
  header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  Bytes bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
  for (size_t i = 0; i < preamble - 8; ++i) bytes.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// The error message of `f`, or "" if it did not throw medrepro::Error.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const medrepro::Error& e) {
    return e.what();
  }
  return "";
}

#define CHECK_ERROR_MENTIONS(expression, ...)                                              \
  do {                                                                                     \
    const std::string message_ = error_of([&] { (void)(expression); });                   \
    CHECK_MESSAGE(!message_.empty(), "no medrepro::Error from " #expression);              \
    for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__}) {                \
      CHECK_MESSAGE(message_.find(part_) != std::string::npos, "'" << part_ << "' not in: " << message_); \
    }                                                                                      \
  } while (0)

fs::path shared_datasets() {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  return fs::path(shared != nullptr ? shared : "../shared") / "datasets";
}

bool have(const fs::path& path) {
  if (fs::exists(path)) return true;
  MESSAGE("skipped: " << path.string() << " not found (set MEDREPRO_SHARED to the shared folder)");
  return false;
}

}  // namespace

// --- .npy ------------------------------------------------------------------------

TEST_CASE(".npy: every dtype round-trips; versions 1, 2, 3; header variants") {
  const std::vector<double> values = {0, 1, 2, 3, 100, 127};
  for (ds::DType dtype : {ds::DType::boolean, ds::DType::uint8, ds::DType::int8, ds::DType::uint16, ds::DType::int16,
                          ds::DType::uint32, ds::DType::int32, ds::DType::uint64, ds::DType::int64, ds::DType::float32,
                          ds::DType::float64}) {
    CAPTURE(ds::dtype_name(dtype));
    const ds::NpyArray array = ds::make_npy(dtype, {2, 3}, values);
    const Bytes encoded = ds::encode_npy(array);
    CHECK((10 + (size_t(encoded[8]) | size_t(encoded[9]) << 8)) % 64 == 0);  // data aligned like numpy's
    const ds::NpyArray back = ds::parse_npy(encoded, "a.npy");
    CHECK(back.dtype == dtype);
    CHECK(back.shape == std::vector<size_t>{2, 3});
    CHECK(back.bytes == array.bytes);
    const std::vector<float> floats = back.to_float();
    for (size_t i = 0; i < values.size(); ++i) CHECK(floats[i] == float(dtype == ds::DType::boolean ? values[i] != 0 : values[i]));
  }
  // Negative and fractional values.
  const ds::NpyArray f = ds::parse_npy(ds::encode_npy(ds::make_npy(ds::DType::float32, {3}, std::vector<double>{-1.5, 0.25, 3e30})), "f.npy");
  CHECK(f.to_float() == std::vector<float>{-1.5f, 0.25f, 3e30f});
  CHECK_ERROR_MENTIONS(f.to_int64(), "not an integer");
  const ds::NpyArray i16 = ds::parse_npy(ds::encode_npy(ds::make_npy(ds::DType::int16, {2}, std::vector<double>{-32768, 32767})), "i.npy");
  CHECK(i16.to_int64() == std::vector<int64_t>{-32768, 32767});

  // Hand-written headers: versions 2 and 3, double quotes, reordered keys, no trailing comma, Python 2 longs.
  const Bytes data = {1, 2, 3, 4, 5, 6};
  for (int version : {1, 2, 3}) {
    const ds::NpyArray a = ds::parse_npy(
        npy_with_header("{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"|u1\"}", data, version), "v.npy");
    CHECK(a.shape == std::vector<size_t>{2, 3});
    CHECK(a.bytes == data);
  }
  const ds::NpyArray scalar = ds::parse_npy(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                                            Bytes{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}),
                                            "s.npy");
  CHECK(scalar.shape.empty());
  CHECK(scalar.count() == 1);
  CHECK(scalar.value(0) == 1.5);
  const ds::NpyArray empty = ds::parse_npy(npy_with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (0, 5), }", {}), "e.npy");
  CHECK(empty.count() == 0);
  // A Fortran-order flag on a 1-D array is harmless (C and Fortran order coincide).
  CHECK(ds::parse_npy(npy_with_header("{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }", Bytes{1, 2, 3}), "1d.npy").count() == 3);

  // Files, plain and gzip-compressed.
  TempDir dir("npy");
  ds::write_npy(dir.path / "a.npy", ds::make_npy(ds::DType::int32, {4}, std::vector<double>{1, -2, 3, -4}));
  CHECK(ds::read_npy(dir.path / "a.npy").to_int64() == std::vector<int64_t>{1, -2, 3, -4});
  write_bytes(dir.path / "a.npy.gz", gzip(read_bytes(dir.path / "a.npy")));
  CHECK(ds::read_npy(dir.path / "a.npy.gz").to_int64() == std::vector<int64_t>{1, -2, 3, -4});
}

TEST_CASE(".npy: bad input is an error naming the file") {
  const Bytes six = {1, 2, 3, 4, 5, 6};
  const auto parse = [](const Bytes& bytes) { return ds::parse_npy(bytes, "bad.npy"); };
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", Bytes(24))),
                       "bad.npy", "Fortran-order");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", Bytes(12))),
                       "bad.npy", "unsupported .npy dtype '>f4'", "big-endian");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", Bytes(8))),
                       "bad.npy", "complex");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", six)),
                       "bad.npy", "float16");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", Bytes(12))),
                       "bad.npy", "strings");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", Bytes(4))),
                       "bad.npy", "structured");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4), }", six)),
                       "bad.npy", "truncated");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", six)),
                       "bad.npy", "data continues after the array");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (6), }", six)),
                       "bad.npy", "trailing comma");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'shape': (6,), }", six)), "bad.npy", "lacks");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), 'x': 1}", six)),
                       "bad.npy", "unexpected key");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), } junk", six)),
                       "bad.npy", "malformed");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': Maybe, 'shape': (6,), }", six)),
                       "bad.npy", "True or False");
  CHECK_ERROR_MENTIONS(parse(npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999, 99999999, 99999999), }", six)),
                       "bad.npy", "larger than the limit");
  Bytes v4 = npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", six);
  v4[6] = 4;
  CHECK_ERROR_MENTIONS(parse(v4), "bad.npy", "version 4.0");
  CHECK_ERROR_MENTIONS(parse(text_bytes("PK\x03\x04 not numpy")), "bad.npy", "not a .npy file");
  CHECK_ERROR_MENTIONS(parse(Bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff}), "bad.npy", "truncated");
  Bytes long_header = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x10};
  CHECK_ERROR_MENTIONS(parse(long_header), "bad.npy", "implausibly long");
  CHECK_ERROR_MENTIONS(ds::read_npy(fs::path("/nonexistent/x.npy")), "/nonexistent/x.npy");
}

// --- zip / .npz -------------------------------------------------------------------

TEST_CASE(".npz with stored and deflated entries; the zip reader's checks") {
  TempDir dir("npz");
  std::vector<double> ramp(2 * 3 * 4);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = double(i);
  const ds::NpyArray images = ds::make_npy(ds::DType::uint8, {2, 3, 4}, ramp);
  const ds::NpyArray labels = ds::make_npy(ds::DType::int64, {2, 1}, std::vector<double>{0, 1});
  for (bool compressed : {false, true}) {
    CAPTURE(compressed);
    const fs::path path = dir.path / (compressed ? "deflated.npz" : "stored.npz");
    ds::write_npz(path, {{"x", images}, {"y", labels}}, compressed);
    ds::ZipArchive archive(path);
    REQUIRE(archive.entries().size() == 2);
    CHECK(archive.entries()[0].method == (compressed ? 8 : 0));
    CHECK(ds::npz_keys(archive) == std::vector<std::string>{"x", "y"});
    const auto arrays = ds::load_npz(path);
    CHECK(arrays.at("x").bytes == images.bytes);
    CHECK(arrays.at("x").shape == images.shape);
    CHECK(arrays.at("y").to_int64() == std::vector<int64_t>{0, 1});
    CHECK_ERROR_MENTIONS(ds::read_npz_array(archive, "z"), path.string(), "no array 'z'", "x, y");
  }
  // A larger deflated entry, read in pieces through the stream interface.
  Bytes big(300000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>((i * 7) ^ (i >> 9));
  const Bytes zip = ds::encode_zip({{"big.bin", big, true}, {"small.txt", text_bytes("hello"), false}});
  ds::ZipArchive memory(zip, "memory.zip");
  CHECK(memory.read(*memory.find("big.bin")) == big);
  CHECK(memory.read(*memory.find("small.txt")) == text_bytes("hello"));
  CHECK(ds::crc32_of(text_bytes("123456789")) == 0xcbf43926u);  // the CRC-32 check value
}

TEST_CASE("corrupt zip archives are errors naming the file") {
  TempDir dir("zipbad");
  const Bytes npy = ds::encode_npy(ds::make_npy(ds::DType::float32, {64}, std::vector<double>(64, 1.25)));
  const Bytes good = ds::encode_zip({{"a.npy", npy, true}, {"b.npy", npy, false}});
  const auto read_all = [](const Bytes& bytes) {
    ds::ZipArchive archive(bytes, "bad.npz");
    for (const ds::ZipEntry& entry : archive.entries()) (void)archive.read(entry);
  };
  REQUIRE(error_of([&] { read_all(good); }).empty());
  // Truncated: the end record is gone.
  CHECK_ERROR_MENTIONS(read_all(Bytes(good.begin(), good.end() - 30)), "bad.npz", "end-of-central-directory");
  CHECK_ERROR_MENTIONS(read_all(text_bytes("just some text, not a zip archive at all")), "bad.npz", "not a zip file");
  // Cut in the middle of the data but keeping the directory: offsets no longer match.
  {
    Bytes cut = good;
    cut.erase(cut.begin() + 40, cut.begin() + 60);
    CHECK_ERROR_MENTIONS(read_all(cut), "bad.npz");
  }
  // Find the entries' fields through the central directory.
  const auto central = [&](const Bytes& bytes, size_t index) {
    size_t pos = 0, seen = 0;
    for (size_t i = 0; i + 4 <= bytes.size(); ++i) {
      if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2 && seen++ == index) {
        pos = i;
        break;
      }
    }
    REQUIRE(pos > 0);
    return pos;
  };
  {  // A flipped byte in the stored entry's data: CRC mismatch.
    Bytes bad = good;
    const size_t cd = central(bad, 1);
    const size_t local = size_t(bad[cd + 42]) | size_t(bad[cd + 43]) << 8;
    bad[local + 30 + 5 + 100] ^= 0x40;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz: b.npy", "CRC-32 mismatch");
  }
  {  // A flipped byte in the deflated data: corrupt deflate data or a CRC mismatch.
    Bytes bad = good;
    bad[30 + 5 + 8] ^= 0xff;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz: a.npy");
  }
  {  // Unsupported compression method (bzip2 = 12) in both headers.
    Bytes bad = good;
    bad[8] = 12;
    bad[central(bad, 0) + 10] = 12;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz: a.npy", "compression method 12");
  }
  {  // Encrypted entry.
    Bytes bad = good;
    bad[central(bad, 0) + 8] |= 1;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz: a.npy", "encrypted");
  }
  {  // A directory size that claims more than the file has: zip64-style 0xffffffff sizes.
    Bytes bad = good;
    const size_t cd = central(bad, 0);
    for (size_t i = 0; i < 4; ++i) bad[cd + 24 + i] = 0xff;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz", "zip64");
  }
  {  // The end record says 0xffff entries: a zip64 archive.
    Bytes bad = good;
    bad[bad.size() - 22 + 8] = bad[bad.size() - 22 + 9] = 0xff;
    bad[bad.size() - 22 + 10] = bad[bad.size() - 22 + 11] = 0xff;
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz", "zip64 archives are not supported");
  }
  {  // A declared size larger than what the deflate stream holds.
    Bytes bad = good;
    const size_t cd = central(bad, 0);
    bad[cd + 24] = static_cast<uint8_t>(bad[cd + 24] + 1);
    CHECK_ERROR_MENTIONS(read_all(bad), "bad.npz: a.npy");
  }
  // On disk: a missing file and a truncated one.
  CHECK_ERROR_MENTIONS(ds::ZipArchive(dir.path / "missing.npz"), "missing.npz", "no such file");
  write_bytes(dir.path / "short.npz", Bytes(good.begin(), good.begin() + good.size() / 2));
  CHECK_ERROR_MENTIONS(ds::load_npz(dir.path / "short.npz"), "short.npz");
  // An entry that is not a valid .npy: named by archive and entry.
  ds::write_zip(dir.path / "junk.npz", {{"train_images.npy", text_bytes("nonsense"), true}});
  CHECK_ERROR_MENTIONS(ds::load_npz(dir.path / "junk.npz"), "junk.npz: train_images.npy", "not a .npy file");
}

// --- MedMNIST ---------------------------------------------------------------------

TEST_CASE("MedMNIST .npz written here: 3D and 2D, errors") {
  TempDir dir("medmnist");
  const auto volume_set = [](size_t n, size_t side) {
    std::vector<double> values(n * side * side * side);
    for (size_t i = 0; i < values.size(); ++i) values[i] = double((i * 13) % 256);
    return ds::make_npy(ds::DType::uint8, {n, side, side, side}, values);
  };
  const auto label_set = [](size_t n) {
    std::vector<double> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = double(i % 2);
    return ds::make_npy(ds::DType::uint8, {n, 1}, values);
  };
  const fs::path path = dir.path / "tinymnist3d.npz";
  ds::write_npz(path, {{"train_images", volume_set(5, 4)}, {"train_labels", label_set(5)}, {"val_images", volume_set(2, 4)},
                       {"val_labels", label_set(2)}, {"test_images", volume_set(3, 4)}, {"test_labels", label_set(3)}});
  const ds::MedMnistSet set = ds::load_medmnist(path);
  CHECK(set.dataset == "tinymnist3d");
  CHECK(set.volumetric);
  CHECK(set.item_shape == std::vector<size_t>{4, 4, 4});
  CHECK(set.train.count == 5);
  CHECK(set.val.count == 2);
  CHECK(set.test.count == 3);
  CHECK(set.train.labels == std::vector<int>{0, 1, 0, 1, 0});
  CHECK(set.class_counts(set.train) == std::vector<size_t>{3, 2});
  CHECK(set.sha256.size() == 64);
  const ds::Volume v = set.volume(set.val, 1);
  CHECK(v.depth == 4);
  CHECK(v.at(0, 0, 1) == float(((64 + 1) * 13) % 256));
  // Only some parts.
  ds::MedMnistOptions only_test;
  only_test.train = only_test.val = false;
  const ds::MedMnistSet test_only = ds::load_medmnist(path, only_test);
  CHECK(!test_only.train.loaded);
  CHECK(test_only.test.count == 3);
  // Provenance for reports.
  const std::string report = ds::provenance_of(set).to_markdown();
  CHECK(report.find("| data | tinymnist3d (real) |") != std::string::npos);
  CHECK(report.find(set.sha256) != std::string::npos);
  CHECK(report.find("| split | train 5, val 2, test 3 |") != std::string::npos);
  CHECK(report.find("label 0 6, label 1 4") != std::string::npos);
  CHECK(report.find("4x4x4 (3D)") != std::string::npos);

  // 2D RGB set with multi-label rows.
  const fs::path rgb = dir.path / "rgb.npz";
  std::vector<double> pixels(2 * 5 * 5 * 3, 7.0);
  const ds::NpyArray images = ds::make_npy(ds::DType::uint8, {2, 5, 5, 3}, pixels);
  const ds::NpyArray multi = ds::make_npy(ds::DType::int64, {2, 3}, std::vector<double>{1, 0, 1, 0, 0, 1});
  ds::write_npz(rgb, {{"train_images", images}, {"train_labels", multi}, {"val_images", images}, {"val_labels", multi},
                      {"test_images", images}, {"test_labels", multi}},
                false);
  const ds::MedMnistSet colour = ds::load_medmnist(rgb);
  CHECK(!colour.volumetric);
  CHECK(colour.channels == 3);
  CHECK(colour.label_columns == 3);
  CHECK(colour.test.labels == std::vector<int>{1, 0, 1, 0, 0, 1});

  // Errors.
  const fs::path missing_key = dir.path / "nolabels.npz";
  ds::write_npz(missing_key, {{"train_images", volume_set(2, 2)}});
  CHECK_ERROR_MENTIONS(ds::load_medmnist(missing_key), "nolabels.npz", "no array 'train_labels'", "train_images");
  const fs::path mismatch = dir.path / "mismatch.npz";
  ds::write_npz(mismatch, {{"train_images", volume_set(2, 2)}, {"train_labels", label_set(3)}});
  CHECK_ERROR_MENTIONS(ds::load_medmnist(mismatch), "mismatch.npz: train_labels", "(3, 1)");
  const fs::path negative = dir.path / "negative.npz";
  ds::write_npz(negative, {{"train_images", volume_set(1, 2)},
                           {"train_labels", ds::make_npy(ds::DType::int32, {1}, std::vector<double>{-1})}});
  CHECK_ERROR_MENTIONS(ds::load_medmnist(negative), "negative.npz: train_labels", "out of range");
  const fs::path floats = dir.path / "floatlabels.npz";
  ds::write_npz(floats, {{"train_images", volume_set(1, 2)},
                         {"train_labels", ds::make_npy(ds::DType::float32, {1}, std::vector<double>{0.5})}});
  CHECK_ERROR_MENTIONS(ds::load_medmnist(floats), "floatlabels.npz: train_labels", "not an integer");
  const fs::path int16_images = dir.path / "int16.npz";
  ds::write_npz(int16_images, {{"train_images", ds::make_npy(ds::DType::int16, {1, 2, 2}, std::vector<double>(4, 1))},
                               {"train_labels", label_set(1)}});
  CHECK_ERROR_MENTIONS(ds::load_medmnist(int16_images), "int16.npz: train_images", "int16");
  CHECK_ERROR_MENTIONS(ds::load_medmnist(dir.path / "absent.npz"), "absent.npz", "zenodo");
}

TEST_CASE("real AdrenalMNIST3D (28^3 and 64^3): split sizes 1,188 / 98 / 298, official SHA-256") {
  for (const auto& [file, side, hash] : {std::tuple<const char*, size_t, const char*>{"adrenalmnist3d.npz", 28, ds::kAdrenalMnist3dSha256},
                                         {"adrenalmnist3d_64.npz", 64, ds::kAdrenalMnist3d64Sha256}}) {
    const fs::path path = shared_datasets() / file;
    if (!have(path)) continue;
    const auto start = std::chrono::steady_clock::now();
    const ds::MedMnistSet set = ds::load_medmnist(path);
    MESSAGE(std::string(file) << " read in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
    CHECK(set.sha256 == hash);
    CHECK(set.volumetric);
    CHECK(set.item_shape == std::vector<size_t>{side, side, side});
    CHECK(set.train.count == 1188);
    CHECK(set.val.count == 98);
    CHECK(set.test.count == 298);
    CHECK(set.label_columns == 1);
    for (const ds::MedMnistPart* part : {&set.train, &set.val, &set.test}) {
      const std::vector<size_t> counts = set.class_counts(*part);
      CHECK(counts.size() == 2);  // binary: normal / hyperplasia
      CHECK(counts[0] > counts[1]);
    }
    const ds::Volume v = set.volume(set.train, 0);
    const auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
    CHECK(*lo >= 0.0f);
    CHECK(*hi <= 255.0f);
    CHECK(*hi - *lo > 100.0f);  // real CT content, not blank
  }
}

// --- MRNet ------------------------------------------------------------------------

namespace {

// Writes an MRNet layout: exams id -> slices, labels per task.
void write_mrnet(const fs::path& root, const std::string& split, const std::vector<std::pair<int, int>>& exams) {
  for (const char* plane : {"axial", "coronal", "sagittal"}) fs::create_directories(root / split / plane);
  std::string abnormal, acl, meniscus;
  for (const auto& [id, slices] : exams) {
    char name[16];
    std::snprintf(name, sizeof name, "%04d", id);
    for (const char* plane : {"axial", "coronal", "sagittal"}) {
      std::vector<uint8_t> voxels(size_t(slices) * 256 * 256);
      for (size_t i = 0; i < voxels.size(); ++i) voxels[i] = static_cast<uint8_t>((i / 65536 * 10 + size_t(id) + plane[0]) & 0xff);
      ds::write_npy(root / split / plane / (std::string(name) + ".npy"),
                    ds::make_npy_uint8({size_t(slices), 256, 256}, voxels));
    }
    abnormal += std::string(name) + "," + std::to_string(id % 2) + "\n";
    acl += std::string(name) + "," + std::to_string(id % 3 == 0 ? 1 : 0) + "\r\n";  // Windows line ends too
    meniscus += std::string(name) + ",0\n";
  }
  write_text(root / (split + "-abnormal.csv"), abnormal);
  write_text(root / (split + "-acl.csv"), acl);
  write_text(root / (split + "-meniscus.csv"), meniscus);
}

}  // namespace

TEST_CASE("MRNet layout written here: index, labels, volumes, errors") {
  TempDir dir("mrnet");
  write_mrnet(dir.path, "train", {{0, 17}, {1, 20}, {3, 61}});
  write_mrnet(dir.path, "valid", {{1130, 18}});
  const ds::MrnetSplit train = ds::load_mrnet_index(dir.path, "train");
  REQUIRE(train.exams.size() == 3);
  CHECK(train.exams[2].id == 3);
  CHECK(train.exams[1].abnormal == 1);
  CHECK(train.exams[0].acl == 1);
  CHECK(train.exams[2].acl == 1);
  CHECK(train.exams[1].acl == 0);
  CHECK(train.positives == std::array<size_t, 3>{2, 2, 0});
  CHECK(train.labels_sha256.size() == 64);
  const ds::Grid<uint8_t> sagittal = ds::load_mrnet_volume(train.exams[2], ds::MrnetPlane::sagittal);
  CHECK(sagittal.depth == 61);
  CHECK(sagittal.height == 256);
  CHECK(sagittal.width == 256);
  CHECK(sagittal.at(5, 100, 100) == uint8_t((50 + 3 + 's') & 0xff));
  const ds::MrnetSplit valid = ds::load_mrnet_index(dir.path, "valid");
  REQUIRE(valid.exams.size() == 1);
  CHECK(valid.exams[0].files[0] == dir.path / "valid" / "axial" / "1130.npy");
  CHECK(ds::load_mrnet_volume(valid.exams[0], ds::MrnetPlane::coronal).depth == 18);

  // A CSV naming an exam whose file is missing: both named.
  fs::remove(dir.path / "train" / "coronal" / "0001.npy");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "train"), "train-abnormal.csv:2", "exam 0001",
                       (dir.path / "train" / "coronal" / "0001.npy").string(), "missing");
  ds::MrnetOptions lazy;
  lazy.check_files = false;
  const ds::MrnetSplit unchecked = ds::load_mrnet_index(dir.path, "train", lazy);
  CHECK_ERROR_MENTIONS(ds::load_mrnet_volume(unchecked.exams[1], ds::MrnetPlane::coronal), "0001.npy", "no such file");
  // Malformed CSV lines, a bad label, CSVs that disagree, a missing CSV, a wrong volume.
  write_text(dir.path / "valid-acl.csv", "1130;1\n");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "valid"), "valid-acl.csv:1", "NNNN,label");
  write_text(dir.path / "valid-acl.csv", "1130,2\n");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "valid"), "valid-acl.csv:1", "bad label '2'");
  write_text(dir.path / "valid-acl.csv", "1131,0\n");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "valid"), "valid-acl.csv:1", "exam 1131", "same exams");
  write_text(dir.path / "valid-acl.csv", "1130,0\n1131,0\n");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "valid"), "lists 2 exams");
  fs::remove(dir.path / "valid-acl.csv");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path, "valid"), "valid-acl.csv", "not found", "stanfordmlgroup");
  CHECK_ERROR_MENTIONS(ds::load_mrnet_index(dir.path / "nowhere", "train"), "nowhere", "stanfordmlgroup");
  ds::write_npy(dir.path / "train" / "axial" / "0000.npy", ds::make_npy(ds::DType::float32, {2, 2}, std::vector<double>(4, 0)));
  CHECK_ERROR_MENTIONS(ds::load_mrnet_volume(train.exams[0], ds::MrnetPlane::axial), "0000.npy", "float32", "(2, 2)");
}

// --- NIfTI-1 ------------------------------------------------------------------------

namespace {

ds::Volume test_volume(int d, int h, int w) {
  ds::Volume v(d, h, w);
  for (int z = 0; z < d; ++z) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) v.at(z, y, x) = float(x + 10 * y + 100 * z);
    }
  }
  v.spacing = {0.9, 1.1, 3.0};
  return v;
}

}  // namespace

TEST_CASE("NIfTI-1 .nii and .nii.gz written here: every datatype, both byte orders, scaling") {
  TempDir dir("nifti");
  const ds::Volume volume = test_volume(5, 4, 3);
  for (int datatype : {ds::nifti_type::uint8, ds::nifti_type::int16, ds::nifti_type::int32, ds::nifti_type::float32,
                       ds::nifti_type::float64, ds::nifti_type::uint16, ds::nifti_type::int8}) {
    for (bool big : {false, true}) {
      for (const char* suffix : {".nii", ".nii.gz"}) {
        CAPTURE(datatype);
        CAPTURE(big);
        CAPTURE(suffix);
        ds::NiftiWriteOptions options;
        options.datatype = datatype;
        options.big_endian = big;
        ds::Volume values = volume;
        if (datatype == ds::nifti_type::int8) {
          for (float& v : values.data) v = std::fmod(v, 120.0f) - 60.0f;
        } else if (datatype == ds::nifti_type::uint8) {
          for (float& v : values.data) v = std::fmod(v, 250.0f);
        }
        std::string name = "v";
        name += std::to_string(datatype);
        name += big ? "be" : "le";
        name += suffix;
        const fs::path path = dir.path / name;
        ds::write_nifti(path, values, options);
        const ds::NiftiImage image = ds::read_nifti(path);
        CHECK(image.header.big_endian == big);
        CHECK(image.header.datatype == datatype);
        CHECK(image.volume.width == 3);
        CHECK(image.volume.height == 4);
        CHECK(image.volume.depth == 5);
        CHECK(image.volume.spacing[0] == doctest::Approx(0.9));
        CHECK(image.volume.spacing[2] == doctest::Approx(3.0));
        CHECK(image.volume.data == values.data);
        CHECK(image.sha256.size() == 64);
      }
    }
  }
  // scl_slope / scl_inter: stored integers are scaled on reading.
  ds::NiftiWriteOptions scaled;
  scaled.datatype = ds::nifti_type::int16;
  scaled.scl_slope = 0.25f;
  scaled.scl_inter = -10.0f;
  ds::Volume fractional = volume;
  for (float& v : fractional.data) v = v * 0.25f - 10.0f;
  ds::write_nifti(dir.path / "scaled.nii", fractional, scaled);
  const ds::NiftiImage image = ds::read_nifti(dir.path / "scaled.nii");
  CHECK(image.header.scl_slope == 0.25f);
  CHECK(image.volume.data == fractional.data);
  // Header fields at their byte offsets, and the sform diagonal.
  CHECK(image.header.dim[0] == 3);
  CHECK(image.header.dim[1] == 3);
  CHECK(image.header.vox_offset == 352);
  CHECK(image.header.srow[1][1] == doctest::Approx(1.1f));
  // A slope of 0 means no scaling.
  Bytes bytes = read_bytes(dir.path / "scaled.nii");
  std::memset(bytes.data() + 112, 0, 4);
  const ds::NiftiImage unscaled = ds::parse_nifti(bytes, "unscaled.nii");
  CHECK(unscaled.volume.data[1] == (fractional.data[1] + 10.0f) * 4.0f);
  // Extensions: vox_offset beyond 352 is honoured.
  {
    Bytes extended(bytes.begin(), bytes.begin() + 352);
    extended[348] = 1;  // extension flag
    extended.insert(extended.end(), 32, 0xab);
    const float offset = 384.0f;
    std::memcpy(extended.data() + 108, &offset, 4);
    extended.insert(extended.end(), bytes.begin() + 352, bytes.end());
    CHECK(ds::parse_nifti(extended, "ext.nii").volume.data == unscaled.volume.data);
  }
  // .hdr + .img pair (magic ni1).
  {
    Bytes header(bytes.begin(), bytes.begin() + 348);
    std::memcpy(header.data() + 344, "ni1\0", 4);
    const float zero = 0.0f;
    std::memcpy(header.data() + 108, &zero, 4);
    write_bytes(dir.path / "pair.hdr", header);
    write_bytes(dir.path / "pair.img", Bytes(bytes.begin() + 352, bytes.end()));
    CHECK(ds::read_nifti(dir.path / "pair.hdr").volume.data == unscaled.volume.data);
    fs::remove(dir.path / "pair.img");
    CHECK_ERROR_MENTIONS(ds::read_nifti(dir.path / "pair.hdr"), "pair.hdr", "pair.img", "missing");
  }
  // A 2D image (dim[0] = 2).
  {
    ds::Volume plane = test_volume(1, 4, 3);
    Bytes flat = ds::encode_nifti(plane);
    const int16_t two = 2;
    std::memcpy(flat.data() + 40, &two, 2);
    const ds::NiftiImage image2d = ds::parse_nifti(flat, "plane.nii");
    CHECK(image2d.volume.depth == 1);
    CHECK(image2d.volume.data == plane.data);
  }
  // Label maps.
  ds::Volume labels(2, 2, 2);
  labels.data = {0, 1, 2, 3, 4, 4, 0, 255};
  ds::NiftiWriteOptions u8;
  u8.datatype = ds::nifti_type::uint8;
  ds::write_nifti(dir.path / "labels.nii.gz", labels, u8);
  CHECK(ds::read_nifti_labels(dir.path / "labels.nii.gz").data == std::vector<uint8_t>{0, 1, 2, 3, 4, 4, 0, 255});
  ds::Volume fractional_labels(1, 1, 2);
  fractional_labels.data = {1.0f, 2.5f};
  CHECK_ERROR_MENTIONS(ds::to_labels(fractional_labels, "x.nii"), "x.nii", "value 2.5", "(1, 0, 0)", "not a label");
}

TEST_CASE("corrupt NIfTI-1 files are errors naming the file") {
  TempDir dir("niftibad");
  const Bytes good = ds::encode_nifti(test_volume(4, 3, 2));  // float32, 352 + 96 bytes
  REQUIRE(good.size() == 352 + 4 * 3 * 2 * 4);
  const auto parse = [](const Bytes& bytes) { return ds::parse_nifti(bytes, "bad.nii"); };
  const auto patched = [&](size_t offset, const void* value, size_t size) {
    Bytes bytes = good;
    std::memcpy(bytes.data() + offset, value, size);
    return bytes;
  };
  const int16_t complex64 = 32, rgb = 128, bitpix16 = 16, zero = 0, eight = 8, minus = -3;
  CHECK_ERROR_MENTIONS(parse(patched(70, &complex64, 2)), "bad.nii", "unsupported NIfTI datatype complex64 (32)");
  CHECK_ERROR_MENTIONS(parse(patched(70, &rgb, 2)), "bad.nii", "RGB24");
  CHECK_ERROR_MENTIONS(parse(patched(72, &bitpix16, 2)), "bad.nii", "bitpix 16");
  CHECK_ERROR_MENTIONS(parse(patched(40, &zero, 2)), "bad.nii", "dim[0] = 0");
  CHECK_ERROR_MENTIONS(parse(patched(40, &eight, 2)), "bad.nii", "dim[0] = 8");
  CHECK_ERROR_MENTIONS(parse(patched(44, &minus, 2)), "bad.nii", "dim[2] = -3");
  // dims that do not match the file size, both ways
  const int16_t three = 3;
  CHECK_ERROR_MENTIONS(parse(patched(46, &three, 2)), "bad.nii", "dims 2x3x3 of float32 need 72 bytes",
                       "24 more bytes follow");
  CHECK_ERROR_MENTIONS(parse(patched(42, &three, 2)), "bad.nii", "dims 3x3x4 of float32 need 144 bytes", "ends after 96");
  CHECK_ERROR_MENTIONS(parse(Bytes(good.begin(), good.end() - 1)), "bad.nii", "ends after 95");
  Bytes longer = good;
  longer.push_back(0);
  CHECK_ERROR_MENTIONS(parse(longer), "bad.nii", "1 more bytes follow");
  // 4D with several volumes is refused clearly.
  {
    Bytes four_d = good;
    const int16_t dims[] = {4, 2, 3, 2, 2};
    std::memcpy(four_d.data() + 40, dims, sizeof dims);
    CHECK_ERROR_MENTIONS(parse(four_d), "bad.nii", "4D image");
  }
  const int32_t wrong_size = 349, nifti2 = 540;
  CHECK_ERROR_MENTIONS(parse(patched(0, &wrong_size, 4)), "bad.nii", "sizeof_hdr is 349");
  CHECK_ERROR_MENTIONS(parse(patched(0, &nifti2, 4)), "bad.nii", "NIfTI-2");
  CHECK_ERROR_MENTIONS(parse(patched(344, "abc\0", 4)), "bad.nii", "Analyze");
  CHECK_ERROR_MENTIONS(parse(patched(344, "ni1\0", 4)), "bad.nii", ".hdr");
  const float small_offset = 100.0f, fraction = 352.5f;
  CHECK_ERROR_MENTIONS(parse(patched(108, &small_offset, 4)), "bad.nii", "vox_offset");
  CHECK_ERROR_MENTIONS(parse(patched(108, &fraction, 4)), "bad.nii", "vox_offset");
  CHECK_ERROR_MENTIONS(parse(Bytes(good.begin(), good.begin() + 200)), "bad.nii", "shorter than the 348-byte header");
  // Files: missing, truncated gzip, corrupt gzip.
  CHECK_ERROR_MENTIONS(ds::read_nifti(dir.path / "none.nii.gz"), "none.nii.gz", "no such file");
  const Bytes packed = gzip(good);
  write_bytes(dir.path / "cut.nii.gz", Bytes(packed.begin(), packed.begin() + long(packed.size() / 2)));
  CHECK_ERROR_MENTIONS(ds::read_nifti(dir.path / "cut.nii.gz"), "cut.nii.gz", "truncated");
  Bytes flipped = packed;
  flipped[flipped.size() - 6] ^= 0xff;  // the CRC-32 in the trailer
  write_bytes(dir.path / "crc.nii.gz", flipped);
  CHECK_ERROR_MENTIONS(ds::read_nifti(dir.path / "crc.nii.gz"), "crc.nii.gz", "CRC");
  // Big-endian header with a wrong size is detected in that byte order as well.
  ds::NiftiWriteOptions big;
  big.big_endian = true;
  Bytes big_file = ds::encode_nifti(test_volume(4, 3, 2), big);
  big_file.resize(big_file.size() - 8);
  CHECK_ERROR_MENTIONS(ds::parse_nifti(big_file, "big.nii"), "big.nii", "ends after 88");
}

TEST_CASE("real NIfTI files: voxelmorph 160x192x224, ITK-SNAP crop int16, BrainWeb labels") {
  const fs::path voxelmorph = shared_datasets() / "voxelmorph_test_scan";
  if (have(voxelmorph / "t1.nii.gz")) {
    const ds::NiftiImage t1 = ds::read_nifti(voxelmorph / "t1.nii.gz");
    CHECK(t1.volume.shape_text() == "160x192x224");
    CHECK(t1.header.datatype == ds::nifti_type::uint8);
    CHECK(t1.volume.spacing == std::array<double, 3>{1.0, 1.0, 1.0});
    const auto [lo, hi] = std::minmax_element(t1.volume.data.begin(), t1.volume.data.end());
    CHECK(*lo == 0.0f);
    CHECK(*hi > 200.0f);
    const ds::LabelVolume aseg = ds::read_nifti_labels(voxelmorph / "aseg.nii.gz");
    CHECK(aseg.shape_text() == "160x192x224");
    const std::set<uint8_t> values(aseg.data.begin(), aseg.data.end());
    CHECK(values.size() == 46);  // README: 46 values
    CHECK(values.count(2));
    CHECK(values.count(255));
  }
  const fs::path itk = shared_datasets() / "itksnap_mricrop";
  if (have(itk / "t1.nii.gz")) {
    const ds::NiftiImage t1 = ds::read_nifti(itk / "t1.nii.gz");
    CHECK(t1.header.datatype == ds::nifti_type::int16);
    CHECK(t1.volume.shape_text() == "78x110x64");
    CHECK(*std::max_element(t1.volume.data.begin(), t1.volume.data.end()) == 269.0f);
    CHECK(*std::min_element(t1.volume.data.begin(), t1.volume.data.end()) == 0.0f);
  }
  const fs::path brainweb = shared_datasets() / "brainweb_subject47_crisp_labels" / "labels_crisp_1mm_majority.nii.gz";
  if (have(brainweb)) {
    const ds::LabelVolume labels = ds::read_nifti_labels(brainweb);
    CHECK(labels.shape_text() == "181x217x181");
    CHECK(*std::max_element(labels.data.begin(), labels.data.end()) == 11);
  }
}

// --- BraTS ----------------------------------------------------------------------------

TEST_CASE("real BraTS 2015 case folders: 240x240x155, labels {0,1,2,3,4}, brain mask") {
  const fs::path root = shared_datasets() / "brats2015_deepmedic";
  if (!have(root)) return;
  const std::vector<fs::path> cases = ds::list_brats_cases(root);
  REQUIRE(cases.size() == 6);
  CHECK(cases.front().filename() == "brats_2013_pat0001_1");
  const auto start = std::chrono::steady_clock::now();
  const ds::BratsCase c = ds::load_brats_case(cases.front());
  MESSAGE("one BraTS case (2 modalities, labels, mask) read in "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
  CHECK(c.name == "brats_2013_pat0001_1");
  CHECK(c.modalities == std::vector<std::string>{"flair", "t1c"});
  REQUIRE(c.images.size() == 2);
  CHECK(c.images[0].shape_text() == "240x240x155");
  CHECK(c.images[0].spacing == std::array<double, 3>{1.0, 1.0, 1.0});
  CHECK(c.labels.shape_text() == "240x240x155");
  const std::set<uint8_t> values(c.labels.data.begin(), c.labels.data.end());
  CHECK(values == std::set<uint8_t>{0, 1, 2, 3, 4});
  CHECK(c.brain_mask_source == "file");
  const std::set<uint8_t> mask_values(c.brain_mask.data.begin(), c.brain_mask.data.end());
  CHECK(mask_values == std::set<uint8_t>{0, 1});
  CHECK(c.files.size() == 4);
  CHECK(c.sha256.size() == 4);
  // Tumour lies inside the brain; the FLAIR was z-scored inside the brain (mean ~0 inside this mask;
  // its sd here is 1.48, numpy agrees: the upstream normalisation mask differed slightly).
  double sum = 0, squares = 0;
  size_t inside = 0, tumour_outside = 0;
  for (size_t i = 0; i < c.labels.data.size(); ++i) {
    if (c.labels.data[i] != 0 && c.brain_mask.data[i] == 0) ++tumour_outside;
    if (c.brain_mask.data[i]) {
      sum += c.images[0].data[i];
      squares += double(c.images[0].data[i]) * c.images[0].data[i];
      ++inside;
    }
  }
  CHECK(tumour_outside == 0);
  const double mean = sum / double(inside);
  CHECK(std::abs(mean) < 0.05);
  CHECK(std::sqrt(squares / double(inside) - mean * mean) == doctest::Approx(1.479).epsilon(0.01));
  ds::BratsOptions t1c_only;
  t1c_only.modalities = {"t1c"};
  t1c_only.labels = false;
  CHECK(ds::load_brats_case(cases[1], t1c_only).images.size() == 1);
  t1c_only.modalities = {"t2"};
  CHECK_ERROR_MENTIONS(ds::load_brats_case(cases[1], t1c_only), "brats_2013_pat0002_1", "no t2 volume", "flair, t1c");
}

TEST_CASE("BraTS case folders written here: 2018+ naming, derived mask, errors") {
  TempDir dir("brats");
  const fs::path case_dir = dir.path / "BraTS18_TCIA01_1";
  fs::create_directories(case_dir);
  ds::Volume image = test_volume(3, 4, 5);
  ds::Volume background = image;
  background.data[0] = 0.0f;  // voxel 0 is outside the brain in every modality
  for (const char* modality : {"flair", "t1", "t1ce", "t2"}) {
    ds::write_nifti(case_dir / ("BraTS18_TCIA01_1_" + std::string(modality) + ".nii.gz"), background);
  }
  ds::Volume seg(3, 4, 5);
  for (size_t i = 0; i < seg.data.size(); ++i) seg.data[i] = float(i % 5 == 3 ? 4 : i % 3);
  ds::NiftiWriteOptions u8;
  u8.datatype = ds::nifti_type::uint8;
  ds::write_nifti(case_dir / "BraTS18_TCIA01_1_seg.nii.gz", seg, u8);
  const ds::BratsCase c = ds::load_brats_case(case_dir);
  CHECK(c.modalities == std::vector<std::string>{"flair", "t1", "t1c", "t2"});
  CHECK(c.brain_mask_source == "nonzero voxels of the images");
  CHECK(c.brain_mask.data[0] == 0);
  CHECK(c.brain_mask.data[1] == 1);
  CHECK(c.labels.data[3] == 4);
  CHECK(ds::list_brats_cases(dir.path) == std::vector<fs::path>{case_dir});
  // A label 5 is refused; so are a volume of another grid and two files for one role.
  seg.data[7] = 5;
  ds::write_nifti(case_dir / "BraTS18_TCIA01_1_seg.nii.gz", seg, u8);
  CHECK_ERROR_MENTIONS(ds::load_brats_case(case_dir), "BraTS18_TCIA01_1_seg.nii.gz", "label 5");
  seg.data[7] = 0;
  ds::write_nifti(case_dir / "BraTS18_TCIA01_1_seg.nii.gz", seg, u8);
  ds::write_nifti(case_dir / "BraTS18_TCIA01_1_t2.nii.gz", test_volume(3, 4, 6));
  CHECK_ERROR_MENTIONS(ds::load_brats_case(case_dir), "BraTS18_TCIA01_1_t2.nii.gz", "6x4x3", "one grid");
  ds::write_nifti(case_dir / "BraTS18_TCIA01_1_t2.nii.gz", background);
  ds::write_nifti(case_dir / "other_flair.nii", background);
  CHECK_ERROR_MENTIONS(ds::load_brats_case(case_dir), "two files for flair");
  CHECK_ERROR_MENTIONS(ds::list_brats_cases(dir.path / "absent"), "absent", "synapse");
}

// --- BrainTumorMRI ----------------------------------------------------------------------

TEST_CASE("real BrainTumorMRI: 189 duplicate groups cross the official split; deduplicated split by default") {
  const fs::path archive = shared_datasets() / "BrainTumorMRI.tar.gz";
  if (!have(archive)) return;
  const auto start = std::chrono::steady_clock::now();
  const ds::BrainTumorMri data = ds::load_brain_tumor_mri(shared_datasets());
  MESSAGE("BrainTumorMRI.tar.gz (7,019 JPEGs) read and decoded in "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
  CHECK(data.set.sha256 == ds::kBrainTumorMriSha256);
  CHECK(data.set.class_names == std::vector<std::string>{"glioma", "meningioma", "notumor", "pituitary"});
  CHECK(data.official_train_counts == std::vector<size_t>{1321, 1339, 1591, 1457});
  CHECK(data.official_test_counts == std::vector<size_t>{300, 306, 405, 300});
  CHECK(data.set.height == 224);
  CHECK(data.set.width == 224);
  CHECK(data.duplicate_groups.size() == 300);
  CHECK(data.crossing_groups.size() == 189);
  CHECK(data.set.files.front().rfind("Training/glioma/", 0) == 0);
  CHECK(data.set.files.back().rfind("Testing/pituitary/", 0) == 0);

  const ds::Split deduplicated = ds::brain_tumor_split(data);
  CHECK(deduplicated.deduplicate);
  CHECK(deduplicated.train.size() == 5312);
  CHECK(deduplicated.test.size() == 1281);
  CHECK(deduplicated.train.size() + deduplicated.test.size() + deduplicated.dropped_duplicates == data.set.size());
  // No content on two sides, no content twice.
  std::map<uint64_t, char> side;
  for (const auto& [part, name] : {std::pair<const std::vector<size_t>*, char>{&deduplicated.train, 'T'}, {&deduplicated.test, 'E'}}) {
    for (size_t index : *part) {
      const auto [it, inserted] = side.emplace(data.set.content_hashes[index], name);
      CHECK_MESSAGE(inserted, data.set.files[index] << " duplicates another kept image");
    }
  }
  for (size_t index : deduplicated.test) CHECK(data.in_official_test[index] == 1);
  for (size_t index : deduplicated.train) CHECK(data.in_official_test[index] == 0);

  ds::BrainTumorSplitOptions official;
  official.keep_official = true;
  const ds::Split kept = ds::brain_tumor_split(data, official);
  CHECK(kept.train.size() == 5708);
  CHECK(kept.test.size() == 1311);
  CHECK(kept.dropped_duplicates == 0);
  const std::string report = ds::provenance_of(data.set, &deduplicated).to_markdown();
  CHECK(report.find(ds::kBrainTumorMriSha256) != std::string::npos);
  CHECK(report.find("glioma 1621") != std::string::npos);
  CHECK(report.find("| split | train 5312, val 0, test 1281 |") != std::string::npos);
  CHECK(report.find("deduplicated (426 copies left out)") != std::string::npos);

  ds::BrainTumorSplitOptions with_val;
  with_val.val_fraction = 0.2;
  with_val.seed = 7;
  const ds::Split a = ds::brain_tumor_split(data, with_val);
  CHECK(a.val.size() == 1062);  // round(0.2 * each class's deduplicated training count): 264 + 246 + 264 + 288
  CHECK(a.train.size() + a.val.size() == 5312);
  CHECK(ds::brain_tumor_split(data, with_val).val == a.val);
}
