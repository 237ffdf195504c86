#include "datasets/tar.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/error.h"

namespace medrepro::datasets {
namespace {

constexpr size_t kBlock = 512;

bool all_zero(const uint8_t* block) {
  return std::all_of(block, block + kBlock, [](uint8_t b) { return b == 0; });
}

// A NUL-terminated (or full-width) string field.
std::string field_string(const uint8_t* field, size_t width) {
  const auto* begin = reinterpret_cast<const char*>(field);
  return std::string(begin, strnlen(begin, width));
}

std::string normalise_name(std::string name) {
  while (name.size() >= 2 && name[0] == '.' && name[1] == '/') name.erase(0, 2);
  while (!name.empty() && name[0] == '/') name.erase(0, 1);
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

}  // namespace

TarReader::TarReader(const std::filesystem::path& path) : TarReader(open_byte_source(path)) {}
TarReader::TarReader(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}
TarReader::~TarReader() = default;

const std::string& TarReader::name() const { return source_->name(); }

void TarReader::read_exact(void* destination, size_t size, const char* what) {
  const size_t got = source_->read(destination, size);
  offset_ += got;
  if (got < size) {
    std::string message = name() + ": truncated tar archive: it ends at offset " + std::to_string(offset_) +
                          " inside " + what;
    if (!entry_.name.empty()) {
      message += " of entry '" + entry_.name + "' (header at offset " + std::to_string(entry_.header_offset) +
                 ", " + std::to_string(entry_.size) + " bytes declared)";
    }
    fail(message);
  }
}

void TarReader::skip(uint64_t size, const char* what) {
  uint8_t buffer[1 << 14];
  while (size > 0) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(size, sizeof buffer));
    read_exact(buffer, step, what);
    size -= step;
  }
}

void TarReader::finish() {
  // Read what follows the end marker (record padding) so that the gzip trailer is checked.
  uint8_t buffer[1 << 14];
  while (size_t got = source_->read(buffer, sizeof buffer)) offset_ += got;
  ended_ = true;
}

size_t TarReader::read(void* destination, size_t size) {
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size, remaining_));
  read_exact(destination, want, "the content");
  remaining_ -= want;
  return want;
}

std::vector<uint8_t> TarReader::read_all(uint64_t max_bytes) {
  if (remaining_ > max_bytes) {
    fail(name() + ": entry '" + entry_.name + "' is " + std::to_string(remaining_) + " bytes, more than the limit of " +
         std::to_string(max_bytes) + " (corrupt size field?)");
  }
  std::vector<uint8_t> data(static_cast<size_t>(remaining_));
  read(data.data(), data.size());
  return data;
}

std::string TarReader::archive_sha256() {
  ended_ = true;
  remaining_ = padding_ = 0;
  return source_->file_sha256();
}

const TarEntry* TarReader::next() {
  if (ended_) return nullptr;
  skip(remaining_ + padding_, "the content");
  remaining_ = padding_ = 0;

  std::optional<std::string> long_name, long_link, pax_path, pax_link;
  std::optional<uint64_t> pax_size;
  uint8_t block[kBlock];
  for (;;) {
    const uint64_t header_offset = offset_;
    const auto where = [&] { return " at offset " + std::to_string(header_offset); };
    entry_ = TarEntry{};
    const size_t got = source_->read(block, kBlock);
    offset_ += got;
    if (got == 0) {
      fail(name() + ": tar archive ends" + where() +
           " without its end-of-archive marker: the archive is truncated or incomplete");
    }
    if (got < kBlock) fail(name() + ": truncated tar header" + where() + " (" + std::to_string(got) + " of 512 bytes)");

    if (all_zero(block)) {  // end of archive: two zero blocks (a lone one at the very end is tolerated)
      const size_t second = source_->read(block, kBlock);
      offset_ += second;
      if (second != 0 && (second < kBlock || !all_zero(block))) {
        fail(name() + ": corrupt tar archive: the zero block" + where() + " is followed by data");
      }
      if (long_name || long_link || pax_path || pax_size) {
        fail(name() + ": corrupt tar archive: an extended header is followed by the end of the archive" + where());
      }
      finish();
      return nullptr;
    }

    // Checksum: the sum of all header bytes with the checksum field read as spaces.
    const auto parse_number = [&](size_t start, size_t width, const char* field) -> uint64_t {
      const uint8_t* p = block + start;
      if (p[0] & 0x80) {  // GNU base-256
        if (p[0] & 0x40) fail(name() + ": negative tar header field '" + field + "'" + where());
        uint64_t value = p[0] & 0x3f;
        for (size_t i = 1; i < width; ++i) {
          if (value >> 55) fail(name() + ": tar header field '" + field + "' overflows" + where());
          value = value << 8 | p[i];
        }
        return value;
      }
      size_t i = 0;
      while (i < width && p[i] == ' ') ++i;
      uint64_t value = 0;
      for (; i < width && p[i] >= '0' && p[i] <= '7'; ++i) {
        if (value >> 60) fail(name() + ": tar header field '" + field + "' overflows" + where());
        value = value * 8 + uint64_t(p[i] - '0');
      }
      for (; i < width; ++i) {
        if (p[i] != 0 && p[i] != ' ') {
          fail(name() + ": bad tar header field '" + field + "'" + where() + ": not an octal number (corrupt archive)");
        }
      }
      return value;
    };
    uint64_t unsigned_sum = 0;
    int64_t signed_sum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
      const uint8_t b = (i >= 148 && i < 156) ? uint8_t(' ') : block[i];
      unsigned_sum += b;
      signed_sum += static_cast<int8_t>(b);
    }
    bool checksum_ok = false;
    uint64_t stored = 0;
    try {
      stored = parse_number(148, 8, "chksum");
      checksum_ok = stored == unsigned_sum || int64_t(stored) == signed_sum;
    } catch (const Error&) {
      checksum_ok = false;
    }
    if (!checksum_ok) {
      fail(name() + ": bad tar header checksum" + where() + " (stored " + std::to_string(stored) + ", computed " +
           std::to_string(unsigned_sum) + "): the archive is corrupt");
    }

    const char typeflag = static_cast<char>(block[156]);
    uint64_t size = parse_number(124, 12, "size");
    if (pax_size) size = *pax_size;
    const bool no_content = typeflag >= '1' && typeflag <= '6';  // links, devices, fifos, directories
    if (no_content) size = 0;
    const uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;

    if (typeflag == 'L' || typeflag == 'K' || typeflag == 'x') {
      if (size > (1u << 20)) fail(name() + ": extended header of " + std::to_string(size) + " bytes" + where());
      std::string data(static_cast<size_t>(size), '\0');
      entry_.name = typeflag == 'x' ? "(pax header)" : "(GNU long name)";
      entry_.size = size;
      entry_.header_offset = header_offset;
      read_exact(data.data(), data.size(), "an extended header");
      skip(padded - size, "an extended header");
      if (typeflag == 'L') {
        long_name = std::string(data.c_str());
      } else if (typeflag == 'K') {
        long_link = std::string(data.c_str());
      } else {  // pax records: "<length> <key>=<value>\n"
        size_t pos = 0;
        while (pos < data.size() && data[pos] != '\0') {
          size_t space = data.find(' ', pos);
          size_t length = 0;
          bool ok = space != std::string::npos && space > pos;
          for (size_t i = pos; ok && i < space; ++i) {
            ok = data[i] >= '0' && data[i] <= '9' && length < (1u << 24);
            length = length * 10 + size_t(data[i] - '0');
          }
          ok = ok && length > space - pos + 1 && pos + length <= data.size() && data[pos + length - 1] == '\n';
          const size_t equals = ok ? data.find('=', space) : std::string::npos;
          ok = ok && equals < pos + length;
          if (!ok) fail(name() + ": corrupt pax extended header" + where());
          const std::string key = data.substr(space + 1, equals - space - 1);
          const std::string value = data.substr(equals + 1, pos + length - 1 - equals - 1);
          if (key == "path") pax_path = value;
          if (key == "linkpath") pax_link = value;
          if (key == "size") {
            uint64_t parsed = 0;
            for (char c : value) {
              if (c < '0' || c > '9' || parsed > (uint64_t(1) << 59)) {
                fail(name() + ": bad size in pax extended header" + where());
              }
              parsed = parsed * 10 + uint64_t(c - '0');
            }
            pax_size = parsed;
          }
          pos += length;
        }
      }
      continue;
    }
    if (typeflag == 'g') {  // pax global header: nothing here needs it
      skip(padded, "a pax global header");
      continue;
    }

    std::string entry_name;
    if (pax_path) {
      entry_name = *pax_path;
    } else if (long_name) {
      entry_name = *long_name;
    } else {
      entry_name = field_string(block, 100);
      const bool posix_ustar = std::memcmp(block + 257, "ustar\0", 6) == 0;
      const std::string prefix = posix_ustar ? field_string(block + 345, 155) : std::string();
      if (!prefix.empty()) entry_name = prefix + "/" + entry_name;
    }
    const bool old_style_directory = typeflag == '\0' && !entry_name.empty() && entry_name.back() == '/';
    entry_.name = normalise_name(entry_name);
    entry_.size = size;
    entry_.typeflag = typeflag;
    entry_.header_offset = header_offset;
    if (typeflag == '5' || old_style_directory) {
      entry_.type = TarType::directory;
    } else if (typeflag == '0' || typeflag == '\0' || typeflag == '7') {
      entry_.type = TarType::regular;
    } else if (typeflag == '1') {
      entry_.type = TarType::hardlink;
    } else if (typeflag == '2') {
      entry_.type = TarType::symlink;
    } else {
      entry_.type = TarType::other;
    }
    if (entry_.type == TarType::hardlink || entry_.type == TarType::symlink) {
      entry_.link_target = pax_link ? *pax_link : long_link ? *long_link : field_string(block + 157, 100);
    }
    remaining_ = size;
    padding_ = padded - size;
    return &entry_;
  }
}

}  // namespace medrepro::datasets
