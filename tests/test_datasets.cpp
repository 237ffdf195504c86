// Data set readers: SHA-256, streaming .tar.gz, image decoding, the MedNIST
// loader, duplicate-aware splits and batching. CPU only: nothing here uses the
// device. Archives are written by the tests themselves, plus one pass over the
// real MedNIST.tar.gz when $MEDREPRO_SHARED/datasets has it.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/batch.h"
#include "datasets/class_folders.h"
#include "datasets/gzip_stream.h"
#include "datasets/image.h"
#include "datasets/mednist.h"
#include "datasets/paths.h"
#include "datasets/sha256.h"
#include "datasets/split.h"
#include "datasets/tar.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image_write.h"

namespace ds = medrepro::datasets;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

// A scratch folder removed at the end of the test case.
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

// --- a minimal tar writer ---------------------------------------------------

void put_octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
}

std::string header(const std::string& name, uint64_t size, char typeflag, const std::string& prefix = "",
                   bool gnu_magic = false, const std::string& link_target = "") {
  std::string block(512, '\0');
  REQUIRE(name.size() <= 100);
  std::copy(name.begin(), name.end(), block.begin());
  put_octal(&block[100], 8, 0644);
  put_octal(&block[108], 8, 0);
  put_octal(&block[116], 8, 0);
  put_octal(&block[124], 12, size);
  put_octal(&block[136], 12, 1483228800);
  block[156] = typeflag;
  std::copy(link_target.begin(), link_target.end(), &block[157]);
  if (gnu_magic) {
    std::copy_n("ustar  ", 8, &block[257]);
  } else {
    std::copy_n("ustar", 6, &block[257]);
    block[263] = '0';
    block[264] = '0';
    std::copy(prefix.begin(), prefix.end(), &block[345]);
  }
  std::fill_n(&block[148], 8, ' ');
  unsigned sum = 0;
  for (char c : block) sum += static_cast<unsigned char>(c);
  std::snprintf(&block[148], 8, "%06o", sum);  // six digits, NUL, space
  block[155] = ' ';
  return block;
}

void pad(std::string& tar) { tar.append((512 - tar.size() % 512) % 512, '\0'); }

void add_file(std::string& tar, const std::string& name, const std::string& data, const std::string& prefix = "") {
  tar += header(name, data.size(), '0', prefix);
  tar += data;
  pad(tar);
}

void add_bytes(std::string& tar, const std::string& name, const Bytes& data) {
  add_file(tar, name, std::string(data.begin(), data.end()));
}

void add_dir(std::string& tar, const std::string& name) { tar += header(name, 0, '5'); }

void add_link(std::string& tar, const std::string& name, const std::string& target) {
  tar += header(name, 0, '1', "", false, target);
}

void add_gnu_long_name(std::string& tar, const std::string& long_name, const std::string& data) {
  const std::string payload = long_name + '\0';
  tar += header("././@LongLink", payload.size(), 'L', "", true);
  tar += payload;
  pad(tar);
  tar += header(long_name.substr(0, 99), data.size(), '0', "", true);
  tar += data;
  pad(tar);
}

void add_pax_path(std::string& tar, const std::string& path, const std::string& data) {
  std::string record = " path=" + path + "\n";
  size_t length = record.size() + 1;
  while (std::to_string(length).size() + record.size() != length) ++length;
  record = std::to_string(length) + record;
  tar += header("PaxHeaders/x", record.size(), 'x');
  tar += record;
  pad(tar);
  add_file(tar, "placeholder-name", data);
}

void end_archive(std::string& tar) {
  tar.append(1024, '\0');
  tar.append((10240 - tar.size() % 10240) % 10240, '\0');
}

void write_gzip(const fs::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb6");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == int(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// --- image encoders (stb_image_write) ----------------------------------------

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

Bytes encode_png(int width, int height, int channels, const Bytes& pixels) {
  Bytes out;
  REQUIRE(stbi_write_png_to_func(append_bytes, &out, width, height, channels, pixels.data(), width * channels) != 0);
  return out;
}

Bytes encode_jpeg(int width, int height, const Bytes& pixels) {
  Bytes out;
  REQUIRE(stbi_write_jpg_to_func(append_bytes, &out, width, height, 1, pixels.data(), 95) != 0);
  return out;
}

Bytes pattern(int width, int height, int seed) {
  Bytes pixels(size_t(width) * size_t(height));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>((i * 7 + size_t(seed) * 31) % 251);
  return pixels;
}

std::string random_bytes(size_t size, uint64_t seed) {
  ds::SplitMix64 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng.next() & 0xff);
  return bytes;
}

}  // namespace

TEST_CASE("SHA-256 against the FIPS 180-2 test vectors") {
  CHECK(ds::sha256_hex(std::string_view("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ds::sha256_hex(std::string_view("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ds::sha256_hex(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  CHECK(ds::sha256_hex(std::string_view(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Fed in uneven pieces (crossing the 64-byte blocks in every way), the digest is the same.
  ds::Sha256 pieces;
  for (size_t at = 0, step = 1; at < million.size(); at += step, step = step % 150 + 1) {
    pieces.update(million.data() + at, std::min(step, million.size() - at));
  }
  CHECK(pieces.finish_hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("tar.gz written here is read back exactly, entry by entry") {
  TempDir dir("tar");
  const std::string long_name =
      "MedNIST/SomeClassWithAVeryLongName/subfolder_that_makes_the_path_longer_than_one_hundred_characters/image.png";
  REQUIRE(long_name.size() > 100);
  const std::string big = random_bytes(300000, 7);  // crosses the reader's input and output chunks
  std::string tar;
  add_dir(tar, "./top/");
  add_file(tar, "./top/empty.txt", "");
  add_file(tar, "top/511", random_bytes(511, 1));
  add_file(tar, "top/512", random_bytes(512, 2));
  add_file(tar, "top/513", random_bytes(513, 3));
  add_file(tar, "file_in_prefix.bin", "prefixed", "a/ustar/prefix");
  add_gnu_long_name(tar, long_name, "long");
  add_pax_path(tar, "pax/named/file.txt", "pax content");
  add_file(tar, "top/big.bin", big);
  end_archive(tar);

  struct Expected {
    std::string name;
    ds::TarType type;
    std::string data;
  };
  const std::vector<Expected> expected = {
      {"top", ds::TarType::directory, ""},
      {"top/empty.txt", ds::TarType::regular, ""},
      {"top/511", ds::TarType::regular, random_bytes(511, 1)},
      {"top/512", ds::TarType::regular, random_bytes(512, 2)},
      {"top/513", ds::TarType::regular, random_bytes(513, 3)},
      {"a/ustar/prefix/file_in_prefix.bin", ds::TarType::regular, "prefixed"},
      {long_name, ds::TarType::regular, "long"},
      {"pax/named/file.txt", ds::TarType::regular, "pax content"},
      {"top/big.bin", ds::TarType::regular, big},
  };

  const fs::path gz = dir.path / "test.tar.gz", plain = dir.path / "test.tar";
  write_gzip(gz, tar);
  write_file(plain, tar);
  for (const fs::path& path : {gz, plain}) {
    CAPTURE(path);
    ds::TarReader reader(path);
    for (size_t i = 0; i < expected.size(); ++i) {
      const ds::TarEntry* entry = reader.next();
      REQUIRE(entry != nullptr);
      CHECK(entry->name == expected[i].name);
      CHECK(entry->type == expected[i].type);
      CHECK(entry->size == expected[i].data.size());
      if (i == 3) continue;  // left unread: next() must skip it
      const Bytes data = reader.read_all();
      CHECK(std::string(data.begin(), data.end()) == expected[i].data);
    }
    CHECK(reader.next() == nullptr);
    CHECK(reader.next() == nullptr);
    CHECK(reader.archive_sha256() == ds::sha256_file_hex(path));
  }

  // Reading in small pieces gives the same bytes.
  ds::TarReader reader(gz);
  while (const ds::TarEntry* entry = reader.next()) {
    if (entry->name != "top/big.bin") continue;
    std::string pieces;
    char buffer[777];
    while (size_t got = reader.read(buffer, sizeof buffer)) pieces.append(buffer, got);
    CHECK(pieces == big);
  }

  // The hash can be asked for before the end: it covers the whole file.
  ds::TarReader early(gz);
  REQUIRE(early.next() != nullptr);
  CHECK(early.archive_sha256() == ds::sha256_file_hex(gz));
  CHECK(early.next() == nullptr);

  // Two gzip members back to back are one stream (as gzip -d reads them).
  const fs::path two = dir.path / "two_members.tar.gz";
  const fs::path half1 = dir.path / "h1.gz", half2 = dir.path / "h2.gz";
  write_gzip(half1, tar.substr(0, 4096));
  write_gzip(half2, tar.substr(4096));
  write_file(two, read_file(half1) + read_file(half2));
  size_t entries = 0;
  ds::TarReader joined(two);
  while (joined.next() != nullptr) ++entries;
  CHECK(entries == expected.size());
}

TEST_CASE("truncated or corrupt archives are errors naming the file") {
  TempDir dir("bad_tar");
  std::string tar;
  for (int i = 0; i < 40; ++i) add_file(tar, "d/file" + std::to_string(i), random_bytes(3000, uint64_t(i)));
  end_archive(tar);
  const fs::path good = dir.path / "good.tar.gz";
  write_gzip(good, tar);
  const std::string compressed = read_file(good);

  const auto read_everything = [](const fs::path& path) {
    ds::TarReader reader(path);
    while (reader.next() != nullptr) reader.read_all();
  };
  CHECK_NOTHROW(read_everything(good));

  SUBCASE("truncated gzip") {
    for (size_t keep : {size_t(1), size_t(10), compressed.size() / 2, compressed.size() - 4}) {
      CAPTURE(keep);
      const fs::path path = dir.path / "MedNIST.tar.gz";
      write_file(path, compressed.substr(0, keep));
      CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("MedNIST.tar.gz"), medrepro::Error);
      if (keep >= 10) {
        CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("truncated gzip stream after"), medrepro::Error);
      }
    }
  }
  SUBCASE("corrupt compressed data or trailer") {
    for (size_t at : {compressed.size() / 3, compressed.size() / 2, compressed.size() - 6}) {
      CAPTURE(at);
      std::string bad = compressed;
      bad[at] = static_cast<char>(bad[at] ^ 0x5a);
      const fs::path path = dir.path / "corrupt.tar.gz";
      write_file(path, bad);
      CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("corrupt.tar.gz: "), medrepro::Error);
    }
  }
  SUBCASE("garbage after the gzip stream") {
    const fs::path path = dir.path / "trailing.tar.gz";
    write_file(path, compressed + "garbage");
    CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("after the end of the gzip stream"),
                         medrepro::Error);
    write_file(path, compressed + std::string(100, '\0'));  // zero padding is fine
    CHECK_NOTHROW(read_everything(path));
  }
  SUBCASE("bad tar header checksum inside a valid gzip stream") {
    std::string bad = tar;
    bad[512 * 7 + 3] = 'X';  // a name byte of the second entry's header (one 3000-byte file = 6 blocks + header)
    const fs::path path = dir.path / "checksum.tar.gz";
    write_gzip(path, bad);
    CHECK_THROWS_WITH_AS(read_everything(path),
                         doctest::Contains("checksum.tar.gz: bad tar header checksum at offset 3584"),
                         medrepro::Error);
  }
  SUBCASE("tar cut inside an entry, or without its end marker, inside a valid gzip stream") {
    const fs::path path = dir.path / "cut.tar.gz";
    write_gzip(path, tar.substr(0, 512 * 7 + 512 + 1000));
    CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("cut.tar.gz: truncated tar archive"),
                         medrepro::Error);
    write_gzip(path, tar.substr(0, 512 * 14));
    CHECK_THROWS_WITH_AS(read_everything(path), doctest::Contains("without its end-of-archive marker"),
                         medrepro::Error);
  }
  SUBCASE("missing, empty and non-archive files") {
    CHECK_THROWS_WITH_AS(ds::TarReader(dir.path / "nowhere.tar.gz"), doctest::Contains("nowhere.tar.gz"),
                         medrepro::Error);
    const fs::path empty = dir.path / "empty.tar.gz";
    write_file(empty, "");
    CHECK_THROWS_WITH_AS(read_everything(empty), doctest::Contains("empty.tar.gz"), medrepro::Error);
    const fs::path text = dir.path / "notes.txt";
    write_file(text, std::string(2000, 'x'));
    CHECK_THROWS_WITH_AS(read_everything(text), doctest::Contains("notes.txt: bad tar header checksum at offset 0"),
                         medrepro::Error);
    CHECK_THROWS_WITH_AS(ds::GzipReader{text}, doctest::Contains("notes.txt: not a gzip file"), medrepro::Error);
  }
}

TEST_CASE("images decode to 8-bit grey") {
  const Bytes grey = pattern(13, 7, 1);
  const ds::GreyImage png = ds::decode_grey(encode_png(13, 7, 1, grey), "grey.png");
  CHECK(png.width == 13);
  CHECK(png.height == 7);
  CHECK(png.pixels == grey);

  // RGB -> grey with stb_image's weights: (77 r + 150 g + 29 b) >> 8.
  Bytes rgb;
  Bytes expected;
  for (int i = 0; i < 6; ++i) {
    const int r = 40 * i, g = 255 - 30 * i, b = (90 * i) % 256;
    rgb.insert(rgb.end(), {uint8_t(r), uint8_t(g), uint8_t(b)});
    expected.push_back(static_cast<uint8_t>((77 * r + 150 * g + 29 * b) >> 8));
  }
  CHECK(ds::decode_grey(encode_png(3, 2, 3, rgb), "rgb.png").pixels == expected);

  // JPEG is lossy: a smooth image comes back close.
  Bytes smooth(32 * 16);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 32; ++x) smooth[size_t(y * 32 + x)] = static_cast<uint8_t>(60 + 3 * x + 2 * y);
  }
  const ds::GreyImage jpeg = ds::decode_grey(encode_jpeg(32, 16, smooth), "smooth.jpeg");
  REQUIRE(jpeg.pixels.size() == smooth.size());
  int worst = 0;
  for (size_t i = 0; i < smooth.size(); ++i) worst = std::max(worst, std::abs(int(jpeg.pixels[i]) - int(smooth[i])));
  CHECK(worst <= 4);

  // A Huffman table declaring more than 256 symbols (stb_image 2.27 would write past its tables).
  Bytes evil = encode_jpeg(32, 16, smooth);
  size_t dht = 2;
  while (dht + 1 < evil.size() && !(evil[dht] == 0xff && evil[dht + 1] == 0xc4)) ++dht;
  REQUIRE(dht + 21 < evil.size());
  std::fill_n(evil.begin() + long(dht) + 5, 16, uint8_t(255));
  CHECK_THROWS_WITH_AS(ds::decode_grey(evil, "evil.jpeg"), doctest::Contains("evil.jpeg: cannot decode image (corrupt JPEG"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::probe_image(evil, "evil.jpeg"), doctest::Contains("more than 256 symbols"), medrepro::Error);
  const ds::ImageInfo info = ds::probe_image(encode_png(3, 2, 3, rgb), "rgb.png");
  CHECK(info.width == 3);
  CHECK(info.height == 2);
  CHECK(info.channels == 3);

  const Bytes garbage = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK_THROWS_WITH_AS(ds::decode_grey(garbage, "MedNIST/Hand/000001.jpeg"),
                       doctest::Contains("MedNIST/Hand/000001.jpeg: cannot decode image"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::decode_grey({}, "empty.png"), doctest::Contains("empty.png"), medrepro::Error);
}

namespace {

// A small MedNIST-shaped archive: classes and files deliberately out of order,
// 8x6 PNGs whose pixels encode (class, file number); Beta/0003 copies Beta/0001.
struct FakeMedNist {
  std::map<std::string, std::vector<int>> files = {{"Gamma", {5, 1, 3}}, {"Alpha", {2, 0, 4, 1}}, {"Beta", {3, 1, 0}}};
  static Bytes pixels(const std::string& class_name, int number) {
    if (class_name == "Beta" && number == 3) return pixels("Beta", 1);
    return pattern(8, 6, int(class_name[0]) * 10 + number);
  }
  static std::string file_name(int number) {
    char name[16];
    std::snprintf(name, sizeof name, "%06d.png", number);
    return name;
  }
  std::string tar(bool with_empty_class = false, const std::string& extra_entries = "") const {
    std::string out;
    add_dir(out, "MedNIST/");
    add_file(out, "MedNIST/README.txt", "not an image");
    for (const std::string class_name : {"Gamma", "Alpha", "Beta"}) {
      add_dir(out, "MedNIST/" + class_name + "/");
      add_file(out, "MedNIST/" + class_name + "/.hidden.png", "ignored");
      for (int number : files.at(class_name)) {
        add_bytes(out, "MedNIST/" + class_name + "/" + file_name(number), encode_png(8, 6, 1, pixels(class_name, number)));
      }
    }
    if (with_empty_class) add_dir(out, "MedNIST/Empty/");
    out += extra_entries;
    end_archive(out);
    return out;
  }
  void extract(const fs::path& root) const {
    for (const auto& [class_name, numbers] : files) {
      fs::create_directories(root / class_name);
      for (int number : numbers) {
        const Bytes png = encode_png(8, 6, 1, pixels(class_name, number));
        write_file(root / class_name / file_name(number), std::string(png.begin(), png.end()));
      }
    }
  }
};

}  // namespace

TEST_CASE("MedNIST loader on a small archive and folder written here") {
  TempDir dir("mednist");
  const FakeMedNist fake;
  const fs::path archive = dir.path / "MedNIST.tar.gz";
  write_gzip(archive, fake.tar());

  const ds::ImageSet all = ds::load_mednist(dir.path);  // finds MedNIST.tar.gz in the folder
  CHECK(all.dataset == "MedNIST");
  CHECK(all.source == archive);
  CHECK(all.source_kind == "archive");
  CHECK(all.sha256 == ds::sha256_file_hex(archive));
  CHECK(all.class_names == std::vector<std::string>{"Alpha", "Beta", "Gamma"});
  CHECK(all.available_classes == all.class_names);
  CHECK(all.available_counts == std::vector<size_t>{4, 3, 3});
  CHECK(all.class_counts == std::vector<size_t>{4, 3, 3});
  CHECK(all.height == 6);
  CHECK(all.width == 8);
  REQUIRE(all.size() == 10);
  CHECK(all.pixels.size() == 10 * 48);
  const std::vector<std::string> files = {"Alpha/000000.png", "Alpha/000001.png", "Alpha/000002.png",
                                          "Alpha/000004.png", "Beta/000000.png",  "Beta/000001.png",
                                          "Beta/000003.png",  "Gamma/000001.png", "Gamma/000003.png",
                                          "Gamma/000005.png"};
  CHECK(all.files == files);
  CHECK(all.labels == std::vector<int>{0, 0, 0, 0, 1, 1, 1, 2, 2, 2});
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string class_name = all.files[i].substr(0, all.files[i].find('/'));
    const int number = std::stoi(all.files[i].substr(all.files[i].find('/') + 1));
    CHECK(Bytes(all.image(i), all.image(i) + 48) == FakeMedNist::pixels(class_name, number));
  }
  // Beta/000001 and Beta/000003 are byte-identical.
  CHECK(ds::find_duplicate_groups(all.content_hashes) == std::vector<std::vector<size_t>>{{5, 6}});
  CHECK(ds::find_duplicate_groups(ds::pixel_hashes(all)) == std::vector<std::vector<size_t>>{{5, 6}});

  // Cap: the first K files in sorted name order, although the archive lists them unsorted.
  ds::MedNistOptions capped;
  capped.max_per_class = 2;
  const ds::ImageSet two = ds::load_mednist(archive, capped);
  CHECK(two.files == std::vector<std::string>{"Alpha/000000.png", "Alpha/000001.png", "Beta/000000.png",
                                              "Beta/000001.png", "Gamma/000001.png", "Gamma/000003.png"});
  CHECK(two.class_counts == std::vector<size_t>{2, 2, 2});
  CHECK(two.available_counts == std::vector<size_t>{4, 3, 3});
  CHECK(Bytes(two.image(5), two.image(5) + 48) == FakeMedNist::pixels("Gamma", 3));

  // Class filter: labels follow the sorted order of the chosen classes.
  ds::MedNistOptions filtered;
  filtered.classes = {"Gamma", "Alpha"};
  const ds::ImageSet some = ds::load_mednist(archive, filtered);
  CHECK(some.class_names == std::vector<std::string>{"Alpha", "Gamma"});
  CHECK(some.labels == std::vector<int>{0, 0, 0, 0, 1, 1, 1});
  CHECK(some.available_classes == std::vector<std::string>{"Alpha", "Beta", "Gamma"});
  filtered.classes = {"Alpha", "Delta"};
  CHECK_THROWS_WITH_AS(ds::load_mednist(archive, filtered),
                       doctest::Contains("unknown class 'Delta'; available classes: Alpha, Beta, Gamma"),
                       medrepro::Error);

  // The extracted folder gives the same images and labels.
  const fs::path folder = dir.path / "extracted" / "MedNIST";
  fake.extract(folder);
  const ds::ImageSet from_folder = ds::load_mednist(dir.path / "extracted");
  CHECK(from_folder.source_kind == "folder");
  CHECK(from_folder.source == folder);
  CHECK(from_folder.files == all.files);
  CHECK(from_folder.labels == all.labels);
  CHECK(from_folder.pixels == all.pixels);
  CHECK(from_folder.content_hashes == all.content_hashes);
  CHECK(from_folder.sha256.size() == 64);
  CHECK(ds::load_mednist(folder, capped).files == two.files);

  // An empty class folder, in an archive or on disk.
  const fs::path with_empty = dir.path / "with_empty.tar.gz";
  write_gzip(with_empty, fake.tar(true));
  CHECK_THROWS_WITH_AS(ds::load_mednist(with_empty), doctest::Contains("class folder 'Empty'"), medrepro::Error);
  fs::create_directories(folder / "Empty");
  CHECK_THROWS_WITH_AS(ds::load_mednist(folder), doctest::Contains("class folder 'Empty'"), medrepro::Error);
  fs::remove(folder / "Empty");

  // Images of two sizes.
  const Bytes odd = encode_png(9, 6, 1, pattern(9, 6, 3));
  write_file(folder / "Beta" / "000009.png", std::string(odd.begin(), odd.end()));
  CHECK_THROWS_WITH_AS(ds::load_mednist(folder), doctest::Contains("Beta/000009.png: image is 9x6, expected 8x6"),
                       medrepro::Error);
  // An undecodable image names its entry.
  write_file(folder / "Beta" / "000009.png", "this is not a png");
  CHECK_THROWS_WITH_AS(ds::load_mednist(folder), doctest::Contains("Beta/000009.png: cannot decode image"),
                       medrepro::Error);

  // A link where an image should be.
  std::string link;
  add_link(link, "MedNIST/Alpha/000009.png", "MedNIST/Alpha/000000.png");
  const fs::path linked = dir.path / "linked.tar.gz";
  write_gzip(linked, fake.tar(false, link));
  CHECK_THROWS_WITH_AS(ds::load_mednist(linked),
                       doctest::Contains("MedNIST/Alpha/000009.png is a link to MedNIST/Alpha/000000.png"),
                       medrepro::Error);

  // Nothing there: the message says which data set, where it looked and where to get it.
  const fs::path nowhere = dir.path / "no_such_folder";
  CHECK_THROWS_WITH_AS(ds::load_mednist(nowhere), doctest::Contains(("MedNIST: data set not found: tried " + nowhere.string()).c_str()),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::load_mednist(nowhere), doctest::Contains("MONAI"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::load_mednist(nowhere), doctest::Contains("shared/datasets"), medrepro::Error);

  // A damaged archive fails as a whole, never as a partial set.
  const std::string compressed = read_file(archive);
  const fs::path cut = dir.path / "cut" / "MedNIST.tar.gz";
  fs::create_directories(cut.parent_path());
  write_file(cut, compressed.substr(0, compressed.size() * 2 / 3));
  CHECK_THROWS_WITH_AS(ds::load_mednist(cut), doctest::Contains("MedNIST.tar.gz: truncated gzip stream"),
                       medrepro::Error);
}

TEST_CASE("a larger folder set decodes on several threads; a damaged image is named") {
  TempDir dir("many");
  const fs::path root = dir.path / "MedNIST";
  for (const char* class_name : {"A", "B"}) {
    fs::create_directories(root / class_name);
    for (int i = 0; i < 200; ++i) {
      const Bytes png = encode_png(8, 6, 1, pattern(8, 6, i + (class_name[0] == 'B' ? 1000 : 0)));
      write_file(root / class_name / FakeMedNist::file_name(i), std::string(png.begin(), png.end()));
    }
  }
  const ds::ImageSet set = ds::load_mednist(root);
  REQUIRE(set.size() == 400);
  for (size_t i = 0; i < 400; ++i) {
    CHECK(Bytes(set.image(i), set.image(i) + 48) == pattern(8, 6, int(i % 200) + (i >= 200 ? 1000 : 0)));
  }
  // The header is intact (so the size check passes) but the pixel data is cut.
  const std::string png = read_file(root / "B" / "000150.png");
  write_file(root / "B" / "000150.png", png.substr(0, png.size() - 30));
  CHECK_THROWS_WITH_AS(ds::load_mednist(root), doctest::Contains("B/000150.png: cannot decode image"), medrepro::Error);
}

TEST_CASE("default data directory") {
  const char* saved = std::getenv("MEDREPRO_DATA");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("MEDREPRO_DATA", "/some/where/datasets", 1);
  CHECK(ds::default_data_dir() == fs::path("/some/where/datasets"));
  ::unsetenv("MEDREPRO_DATA");
  const fs::path fallback = ds::default_data_dir();
  CHECK(fallback.filename() == "datasets");
  CHECK(fallback.parent_path().filename() == "shared");
  if (saved != nullptr) ::setenv("MEDREPRO_DATA", saved_value.c_str(), 1);
}

TEST_CASE("SplitMix64 and Fisher-Yates give the same numbers everywhere") {
  ds::SplitMix64 reference(1234567);  // the reference outputs of Vigna's splitmix64.c
  CHECK(reference.next() == 6457827717110365317ull);
  CHECK(reference.next() == 3203168211198807973ull);
  CHECK(reference.next() == 9817491932198370423ull);
  CHECK(reference.next() == 4593380528125082431ull);
  CHECK(reference.next() == 16408922859458223821ull);
  std::vector<size_t> items = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ds::SplitMix64 rng(42);
  ds::shuffle(items, rng);
  CHECK(items == std::vector<size_t>{0, 9, 5, 8, 6, 4, 7, 2, 1, 3});  // computed independently in Python
  ds::SplitMix64 uniform(3);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform.uniform();
    CHECK((u >= 0.0 && u < 1.0));
    CHECK(uniform.below(7) < 7);
  }
}

namespace {

// 3 classes of 150 / 200 / 120 items; duplicate groups inside classes.
struct SplitFixture {
  std::vector<int> labels;
  std::vector<std::vector<size_t>> groups;
  SplitFixture() {
    for (int label : {2, 0, 1}) {
      for (int i = 0; i < (label == 0 ? 150 : label == 1 ? 200 : 120); ++i) labels.push_back(label);
    }
    // labels: 2 for [0,120), 0 for [120,270), 1 for [270,470)
    groups = {{3, 50, 119}, {121, 122}, {130, 200, 260, 269}, {300, 301}, {302, 469}, {5, 6}};
  }
};

size_t count_label(const SplitFixture& f, const std::vector<size_t>& part, int label) {
  return size_t(std::count_if(part.begin(), part.end(), [&](size_t i) { return f.labels[i] == label; }));
}

}  // namespace

TEST_CASE("stratified split: exact test counts, disjoint parts, duplicate groups together, reproducible") {
  const SplitFixture f;
  ds::SplitOptions options;
  options.seed = 1234;
  options.test_per_class = 20;
  options.val_fraction = 0.2;

  for (bool deduplicate : {true, false}) {
    CAPTURE(deduplicate);
    options.deduplicate = deduplicate;
    const ds::Split split = ds::stratified_split(f.labels, f.groups, options);
    CHECK_NOTHROW(ds::check_split(split, f.labels.size()));
    std::map<size_t, char> part_of;
    for (auto [part, name] : {std::pair{&split.train, 'T'}, {&split.val, 'V'}, {&split.test, 'E'}}) {
      CHECK(std::is_sorted(part->begin(), part->end()));
      for (size_t i : *part) CHECK(part_of.emplace(i, name).second);  // no index in two parts
    }
    const size_t extra_copies = 2 + 1 + 3 + 1 + 1 + 1;
    CHECK(split.dropped_duplicates == (deduplicate ? extra_copies : 0));
    CHECK(part_of.size() == f.labels.size() - split.dropped_duplicates);
    const std::map<int, size_t> class_size = {{0, 150}, {1, 200}, {2, 120}};
    for (const auto& [label, size] : class_size) {
      CAPTURE(label);
      CHECK(count_label(f, split.test, label) == 20);
      size_t copies = 0;
      for (const auto& group : f.groups) copies += f.labels[group[0]] == label ? group.size() - 1 : 0;
      const size_t rest = size - (deduplicate ? copies : 0) - 20;
      CHECK(count_label(f, split.val, label) == size_t(std::llround(0.2 * double(rest))));
      CHECK(count_label(f, split.train, label) == rest - size_t(std::llround(0.2 * double(rest))));
    }
    for (const auto& group : f.groups) {
      if (deduplicate) {  // exactly one member, the lowest index, survives
        CHECK(part_of.count(group[0]) == 1);
        for (size_t k = 1; k < group.size(); ++k) CHECK(part_of.count(group[k]) == 0);
      } else {  // all members in one part
        for (size_t k = 1; k < group.size(); ++k) CHECK(part_of.at(group[k]) == part_of.at(group[0]));
      }
    }
    // Same seed, same split; another seed, another split.
    const ds::Split again = ds::stratified_split(f.labels, f.groups, options);
    CHECK(again.train == split.train);
    CHECK(again.val == split.val);
    CHECK(again.test == split.test);
    ds::SplitOptions other = options;
    other.seed = 1235;
    CHECK(ds::stratified_split(f.labels, f.groups, other).test != split.test);
  }

  // A pinned split: the seeded algorithm must not drift between versions or platforms.
  options.deduplicate = true;
  options.test_per_class = 3;
  options.val_fraction = 0.0;
  const ds::Split pinned = ds::stratified_split(f.labels, f.groups, options);
  // Expected indices computed independently (a few lines of Python following the documented algorithm).
  CHECK(pinned.test == std::vector<size_t>{4, 41, 88, 217, 221, 258, 358, 403, 419});

  // Errors.
  ds::SplitOptions too_many = options;
  too_many.test_per_class = 119;  // class 2 has 120 items, 117 after deduplication
  CHECK_THROWS_WITH_AS(ds::stratified_split(f.labels, f.groups, too_many),
                       doctest::Contains("class 2 has 117 items after deduplication"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::stratified_split(f.labels, {{1, 200}}, options),
                       doctest::Contains("are duplicates but have different labels"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::stratified_split(f.labels, {{1, 2}, {2, 3}}, options),
                       doctest::Contains("index 2 is in two duplicate groups"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::stratified_split(f.labels, {{1, 9999}}, options), doctest::Contains("9999"),
                       medrepro::Error);
}

TEST_CASE("split index file round trip") {
  TempDir dir("split");
  const SplitFixture f;
  ds::SplitOptions options;
  options.seed = 0xfeedfacecafebeefull;
  options.test_per_class = 10;
  options.val_fraction = 0.15;
  ds::Split split = ds::stratified_split(f.labels, f.groups, options);
  split.tag = "fixture sha256=abc";
  const fs::path path = dir.path / "split.txt";
  ds::save_split(path, split);
  const ds::Split loaded = ds::load_split(path);
  CHECK(loaded.train == split.train);
  CHECK(loaded.val == split.val);
  CHECK(loaded.test == split.test);
  CHECK(loaded.seed == split.seed);
  CHECK(loaded.test_per_class == 10);
  CHECK(loaded.val_fraction == 0.15);
  CHECK(loaded.deduplicate);
  CHECK(loaded.item_count == f.labels.size());
  CHECK(loaded.dropped_duplicates == split.dropped_duplicates);
  CHECK(loaded.tag == "fixture sha256=abc");
  CHECK_NOTHROW(ds::check_split(loaded, f.labels.size(), "fixture sha256=abc"));
  CHECK_THROWS_WITH_AS(ds::check_split(loaded, 100), doctest::Contains("used with a data set of 100"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::check_split(loaded, f.labels.size(), "other"), doctest::Contains("does not match"),
                       medrepro::Error);

  // Damaged files are errors with the path and line.
  std::string text = read_file(path);
  const fs::path bad = dir.path / "bad_split.txt";
  write_file(bad, text.substr(0, text.size() / 2));
  CHECK_THROWS_WITH_AS(ds::load_split(bad), doctest::Contains("bad_split.txt:"), medrepro::Error);
  std::string twice = text;
  const size_t test_line = twice.find("\ntest ");
  twice.insert(twice.find('\n', test_line + 1) + 1, std::to_string(split.train[0]) + "\n");
  twice.replace(test_line, twice.find('\n', test_line + 1) - test_line,
                "\ntest " + std::to_string(split.test.size() + 1));
  write_file(bad, twice);
  CHECK_THROWS_WITH_AS(ds::load_split(bad), doctest::Contains("is in two parts"), medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::load_split(dir.path / "missing.txt"), doctest::Contains("missing.txt"), medrepro::Error);
}

TEST_CASE("bilinear resize (align_corners=false) and batches") {
  // A constant image stays constant, growing or shrinking.
  const std::vector<float> constant(5 * 7, 0.375f);
  for (auto [h, w] : {std::pair{5, 7}, {10, 14}, {3, 2}, {227, 227}, {1, 1}, {28, 13}}) {
    std::vector<float> out(size_t(h) * size_t(w));
    ds::resize_bilinear(constant.data(), 5, 7, out.data(), h, w);
    for (float v : out) CHECK(v == 0.375f);
  }
  // 2x2 -> 4x4 by hand: source x positions (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped
  // to the last pixel), so along each axis the weights of the second pixel are 0, 0.25, 0.75, 1.
  const std::vector<float> square = {0.0f, 1.0f, 2.0f, 3.0f};
  std::vector<float> grown(16);
  ds::resize_bilinear(square.data(), 2, 2, grown.data(), 4, 4);
  const std::vector<float> expected = {0.0f, 0.25f, 0.75f, 1.0f,  0.5f, 0.75f, 1.25f, 1.5f,
                                       1.5f, 1.75f, 2.25f, 2.5f, 2.0f, 2.25f, 2.75f, 3.0f};
  for (size_t i = 0; i < 16; ++i) CHECK(grown[i] == doctest::Approx(expected[i]).epsilon(1e-7));
  // 4x4 -> 2x2 samples at 0.5 and 2.5: the mean of each 2x2 block for a linear ramp.
  std::vector<float> ramp(16);
  for (size_t i = 0; i < 16; ++i) ramp[i] = float(i);
  std::vector<float> shrunk(4);
  ds::resize_bilinear(ramp.data(), 4, 4, shrunk.data(), 2, 2);
  CHECK(shrunk == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});
  // Same size is the identity, also for uint8 input.
  const Bytes bytes = pattern(6, 5, 9);
  std::vector<float> same(30);
  ds::resize_bilinear(bytes.data(), 5, 6, same.data(), 5, 6);
  for (size_t i = 0; i < 30; ++i) CHECK(same[i] == float(bytes[i]));

  // Batches: [B,1,H,W] scaled to [0,1] or normalised, labels as floats, in index order.
  ds::ImageSet set;
  set.height = 2;
  set.width = 2;
  set.pixels = {0, 51, 102, 255, 10, 10, 10, 10, 255, 255, 0, 0};
  set.labels = {3, 1, 0};
  std::vector<float> images, labels;
  const std::vector<size_t> indices = {2, 0};
  ds::make_batch(set, indices, {}, images, labels);
  CHECK(labels == std::vector<float>{0.0f, 3.0f});
  const std::vector<float> scaled = {1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.2f, 0.4f, 1.0f};
  REQUIRE(images.size() == 8);
  for (size_t i = 0; i < 8; ++i) CHECK(images[i] == doctest::Approx(scaled[i]).epsilon(1e-6));
  ds::BatchOptions normalised;
  normalised.mean = 0.5f;
  normalised.std = 0.25f;
  ds::make_batch(set, indices, normalised, images, labels);
  for (size_t i = 0; i < 8; ++i) CHECK(images[i] == doctest::Approx((scaled[i] - 0.5f) / 0.25f).epsilon(1e-6));
  ds::BatchOptions resized;
  resized.height = 4;
  resized.width = 4;
  ds::make_batch(set, std::vector<size_t>{1}, resized, images, labels);
  REQUIRE(images.size() == 16);
  for (float v : images) CHECK(v == doctest::Approx(10.0f / 255.0f).epsilon(1e-6));
  CHECK_THROWS_AS(ds::make_batch(set, std::vector<size_t>{3}, {}, images, labels), medrepro::Error);
}

TEST_CASE("real MedNIST.tar.gz: 5 classes, 20 images each, one pass") {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  const fs::path archive = fs::path(shared != nullptr ? shared : "../shared") / "datasets" / "MedNIST.tar.gz";
  if (!fs::exists(archive)) {
    MESSAGE("skipped: " << archive.string() << " not found (set MEDREPRO_SHARED to the shared folder)");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  ds::MedNistOptions options;
  options.classes = {"HeadCT", "AbdomenCT", "CXR", "BreastMRI", "Hand"};
  options.max_per_class = 20;
  const ds::ImageSet set = ds::load_mednist(archive, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("streamed and hashed MedNIST.tar.gz in " << seconds << " s");
  CHECK(set.sha256 == ds::kMedNistSha256);
  CHECK(set.sha256 == "8f4498f42637068a395d39466252f5dc6df2db1b90490822326c1042ab6a8711");
  CHECK(set.available_classes == std::vector<std::string>{"AbdomenCT", "BreastMRI", "CXR", "ChestCT", "Hand", "HeadCT"});
  CHECK(set.available_counts == std::vector<size_t>{10000, 8954, 10000, 10000, 10000, 10000});
  CHECK(set.class_names == std::vector<std::string>{"AbdomenCT", "BreastMRI", "CXR", "Hand", "HeadCT"});
  CHECK(set.class_counts == std::vector<size_t>{20, 20, 20, 20, 20});
  CHECK(set.height == 64);
  CHECK(set.width == 64);
  REQUIRE(set.size() == 100);
  CHECK(set.files.front() == "AbdomenCT/000000.jpeg");
  CHECK(set.files[20] == "BreastMRI/000000.jpeg");
  CHECK(set.files.back() == "HeadCT/000019.jpeg");
  for (size_t i = 0; i < set.size(); ++i) CHECK(set.labels[i] == int(i / 20));
  // Real pictures, not blank: every class has contrast.
  for (size_t label = 0; label < 5; ++label) {
    const uint8_t* image = set.image(label * 20);
    const auto [low, high] = std::minmax_element(image, image + set.image_bytes());
    CHECK(int(*high) - int(*low) > 50);
  }
}
