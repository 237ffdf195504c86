#include "datasets/npy.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>

#include "core/error.h"
#include "datasets/memory_source.h"

namespace medrepro::datasets {
namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMaxHeader = size_t(1) << 20;

struct DTypeInfo {
  DType dtype;
  const char* name;
  const char* descr;
  char kind;  // 'u', 'i', 'f', 'b'
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::boolean, "bool", "|b1", 'b', 1},     {DType::uint8, "uint8", "|u1", 'u', 1},
    {DType::int8, "int8", "|i1", 'i', 1},        {DType::uint16, "uint16", "<u2", 'u', 2},
    {DType::int16, "int16", "<i2", 'i', 2},      {DType::uint32, "uint32", "<u4", 'u', 4},
    {DType::int32, "int32", "<i4", 'i', 4},      {DType::uint64, "uint64", "<u8", 'u', 8},
    {DType::int64, "int64", "<i8", 'i', 8},      {DType::float32, "float32", "<f4", 'f', 4},
    {DType::float64, "float64", "<f8", 'f', 8},
};

const DTypeInfo& info(DType dtype) {
  for (const DTypeInfo& entry : kDTypes) {
    if (entry.dtype == dtype) return entry;
  }
  fail("npy: unknown dtype enumerator");
}

// The header dictionary, a small subset of Python literal syntax:
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  void parse(std::string& descr, bool& fortran, std::vector<size_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (peek() == '[') bad("structured dtype (a list of fields) is not supported; use a plain numeric array");
        descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        bad("unexpected key '" + key + "' in the header");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_space();
      if (peek() != '}') bad("expected ',' or '}'");
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) bad("unexpected text after the header dictionary");
    if (!have_descr || !have_fortran || !have_shape) {
      bad("the header lacks one of 'descr', 'fortran_order', 'shape'");
    }
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_ + ": malformed .npy header (" + what + ") at character " + std::to_string(pos_) + " of '" +
         std::string(text_.substr(0, 200)) + "'");
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') bad("expected a quoted string");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    if (value.find('\\') != std::string::npos) bad("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    bad("expected True or False");
  }
  std::vector<size_t> tuple() {
    expect('(');
    std::vector<size_t> values;
    bool comma_after_last = false;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') bad("expected a non-negative integer in the shape");
      uint64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (value > (uint64_t(1) << 48)) bad("dimension too large");
        value = value * 10 + uint64_t(peek() - '0');
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 long
      values.push_back(static_cast<size_t>(value));
      if (values.size() > 32) bad("more than 32 dimensions");
      skip_space();
      comma_after_last = false;
      if (peek() == ',') {
        ++pos_;
        comma_after_last = true;
        continue;
      }
      skip_space();
      if (peek() != ')') bad("expected ',' or ')' in the shape");
    }
    if (values.size() == 1 && !comma_after_last) bad("a one-element shape needs a trailing comma");
    ++pos_;
    return values;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
};

[[noreturn]] void unsupported_dtype(const std::string& name, const std::string& descr, const std::string& why) {
  fail(name + ": unsupported .npy dtype '" + descr + "' (" + why +
       "); supported: bool, uint8, int8, (u)int16, (u)int32, (u)int64, float32, float64, little-endian");
}

DType parse_descr(const std::string& descr, const std::string& name) {
  const auto unsupported = [&](const std::string& why) { unsupported_dtype(name, descr, why); };
  if (descr.size() < 2) unsupported("unknown");
  std::string body = descr;
  char order = '|';
  if (body[0] == '<' || body[0] == '>' || body[0] == '|' || body[0] == '=') {
    order = body[0];
    body.erase(0, 1);
  }
  if (body.size() < 2) unsupported("unknown");
  const char kind = body[0] == '?' ? 'b' : body[0];
  size_t size = 0;
  for (size_t i = 1; i < body.size(); ++i) {
    if (body[i] < '0' || body[i] > '9' || size > 64) unsupported("unknown");
    size = size * 10 + size_t(body[i] - '0');
  }
  for (const DTypeInfo& entry : kDTypes) {
    if (entry.kind == kind && entry.size == size) {
      if (order == '>' && size > 1) unsupported("big-endian");
      return entry.dtype;
    }
  }
  if (kind == 'f' && size == 2) unsupported("float16");
  if (kind == 'c') unsupported("complex");
  if (kind == 'O') unsupported("Python objects");
  if (kind == 'S' || kind == 'U' || kind == 'a') unsupported("strings");
  unsupported_dtype(name, descr, "unknown");
}

uint32_t read_le(const uint8_t* p, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= uint32_t(p[i]) << (8 * i);
  return value;
}

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

}  // namespace

size_t dtype_size(DType dtype) { return info(dtype).size; }
const char* dtype_name(DType dtype) { return info(dtype).name; }
const char* dtype_descr(DType dtype) { return info(dtype).descr; }

size_t NpyArray::count() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

std::string NpyArray::shape_text() const {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ",";
  return text + ")";
}

double NpyArray::value(size_t i) const {
  const uint8_t* p = bytes.data() + i * dtype_size(dtype);
  switch (dtype) {
    case DType::boolean: return p[0] != 0 ? 1.0 : 0.0;
    case DType::uint8: return double(p[0]);
    case DType::int8: return double(static_cast<int8_t>(p[0]));
    case DType::uint16: return double(load<uint16_t>(p));
    case DType::int16: return double(load<int16_t>(p));
    case DType::uint32: return double(load<uint32_t>(p));
    case DType::int32: return double(load<int32_t>(p));
    case DType::uint64: return double(load<uint64_t>(p));
    case DType::int64: return double(load<int64_t>(p));
    case DType::float32: return double(load<float>(p));
    case DType::float64: return load<double>(p);
  }
  return 0.0;
}

std::vector<float> NpyArray::to_float() const {
  const size_t n = count();
  std::vector<float> values(n);
  if (dtype == DType::uint8) {
    for (size_t i = 0; i < n; ++i) values[i] = float(bytes[i]);
  } else if (dtype == DType::float32) {
    std::memcpy(values.data(), bytes.data(), n * sizeof(float));
  } else {
    for (size_t i = 0; i < n; ++i) values[i] = static_cast<float>(value(i));
  }
  return values;
}

std::vector<int64_t> NpyArray::to_int64() const {
  const size_t n = count();
  std::vector<int64_t> values(n);
  for (size_t i = 0; i < n; ++i) {
    if (dtype == DType::int64) {
      values[i] = load<int64_t>(bytes.data() + 8 * i);
    } else if (dtype == DType::uint64) {
      const uint64_t v = load<uint64_t>(bytes.data() + 8 * i);
      if (v > uint64_t(INT64_MAX)) fail("npy: uint64 value " + std::to_string(v) + " does not fit int64");
      values[i] = int64_t(v);
    } else {
      const double v = value(i);
      if (!(v == std::floor(v)) || std::abs(v) > 9.0e15) {
        fail("npy: element " + std::to_string(i) + " (" + std::to_string(v) + ") is not an integer");
      }
      values[i] = static_cast<int64_t>(v);
    }
  }
  return values;
}

NpyArray read_npy(ByteSource& source, const NpyOptions& options) {
  const std::string& name = source.name();
  uint8_t preamble[10];
  const size_t got = source.read(preamble, sizeof preamble);
  if (got < 8 || std::memcmp(preamble, kMagic, sizeof kMagic) != 0) {
    fail(name + ": not a .npy file (it does not start with \\x93NUMPY)");
  }
  const int major = preamble[6], minor = preamble[7];
  if (minor != 0 || major < 1 || major > 3) {
    fail(name + ": unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
         " (1.0, 2.0 and 3.0 are read)");
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  uint8_t length_field[4] = {0, 0, 0, 0};
  const size_t have = got - 8;  // 0..2 bytes of the length field already read
  std::memcpy(length_field, preamble + 8, std::min(have, length_bytes));
  if (have < length_bytes) {
    read_exact(source, length_field + have, length_bytes - have, "the .npy header length");
  }
  const size_t header_length = read_le(length_field, length_bytes);
  if (header_length > kMaxHeader) {
    fail(name + ": .npy header of " + std::to_string(header_length) + " bytes is implausibly long (corrupt file?)");
  }
  std::string header(header_length, '\0');
  read_exact(source, header.data(), header_length, "the .npy header");
  for (char c : header) {
    if (c == '\0') fail(name + ": malformed .npy header (it contains a NUL byte)");
  }

  std::string descr;
  bool fortran = false;
  NpyArray array;
  HeaderParser(header, name).parse(descr, fortran, array.shape);
  array.dtype = parse_descr(descr, name);
  if (fortran) {
    // With at most one dimension larger than 1, C and Fortran order coincide.
    const auto larger = std::count_if(array.shape.begin(), array.shape.end(), [](size_t d) { return d > 1; });
    if (larger > 1) {
      fail(name + ": Fortran-order (column-major) array of shape " + array.shape_text() +
           " is not supported; save it in C order (np.ascontiguousarray)");
    }
  }
  const size_t item = dtype_size(array.dtype);
  uint64_t total = item;
  bool empty = false;
  for (size_t d : array.shape) {
    if (d == 0) empty = true;
    if (!empty && d > 0 && total > options.max_bytes / d) {
      fail(name + ": array of shape " + array.shape_text() + " and dtype " + dtype_name(array.dtype) +
           " is larger than the limit of " + std::to_string(options.max_bytes) + " bytes (corrupt header?)");
    }
    total *= d;
  }
  if (empty) total = 0;
  // Grow the buffer as data arrives, so a corrupt shape in a short file cannot allocate much.
  const uint64_t chunk = uint64_t(1) << 26;
  const std::string what = "the array data (shape " + array.shape_text() + ", " + dtype_name(array.dtype) + ", " +
                           std::to_string(total) + " bytes)";
  if (total <= chunk) {
    array.bytes.resize(static_cast<size_t>(total));
    read_exact(source, array.bytes.data(), array.bytes.size(), what);
  } else {
    uint64_t done = 0;
    while (done < total) {
      const uint64_t step = std::min(chunk, total - done);
      array.bytes.resize(static_cast<size_t>(done + step));
      read_exact(source, array.bytes.data() + done, static_cast<size_t>(step), what);
      done += step;
    }
  }
  if (!at_end(source)) {
    fail(name + ": data continues after the array of shape " + array.shape_text() + " (" + dtype_name(array.dtype) +
         ", " + std::to_string(total) + " bytes): the shape does not match the file size");
  }
  return array;
}

NpyArray read_npy(const std::filesystem::path& path, const NpyOptions& options) {
  std::unique_ptr<ByteSource> source = open_byte_source(path);
  return read_npy(*source, options);
}

NpyArray parse_npy(std::span<const uint8_t> bytes, const std::string& name, const NpyOptions& options) {
  MemorySource source(bytes, name);
  return read_npy(source, options);
}

std::vector<uint8_t> encode_npy(const NpyArray& array) {
  if (array.bytes.size() != array.count() * dtype_size(array.dtype)) {
    fail("encode_npy: " + std::to_string(array.bytes.size()) + " data bytes for shape " + array.shape_text() +
         " of " + dtype_name(array.dtype));
  }
  std::string header = "{'descr': '";
  header += dtype_descr(array.dtype);
  header += "', 'fortran_order': False, 'shape': ";
  header += array.shape_text();
  header += ", }";
  // Pad with spaces and a final newline so that the data starts at a multiple of 64 bytes.
  size_t preamble = 10;
  size_t total = preamble + header.size() + 1;
  if ((total + 63) / 64 * 64 - preamble > 65535) preamble = 12;
  total = preamble + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> bytes(std::begin(kMagic), std::end(kMagic));
  bytes.push_back(preamble == 10 ? 1 : 2);
  bytes.push_back(0);
  const size_t length = header.size();
  for (size_t i = 0; i < preamble - 8; ++i) bytes.push_back(static_cast<uint8_t>(length >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), array.bytes.begin(), array.bytes.end());
  return bytes;
}

void write_npy(const std::filesystem::path& path, const NpyArray& array) {
  const std::vector<uint8_t> bytes = encode_npy(array);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path.string() + ": cannot open for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(path.string() + ": write error");
}

NpyArray make_npy(DType dtype, std::vector<size_t> shape, std::span<const double> values) {
  NpyArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  if (values.size() != array.count()) {
    fail("make_npy: " + std::to_string(values.size()) + " values for shape " + array.shape_text());
  }
  const size_t item = dtype_size(dtype);
  array.bytes.resize(values.size() * item);
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t* p = array.bytes.data() + i * item;
    const double v = values[i];
    const auto store = [&](auto typed) { std::memcpy(p, &typed, sizeof typed); };
    switch (dtype) {
      case DType::boolean: store(static_cast<uint8_t>(v != 0.0)); break;
      case DType::uint8: store(static_cast<uint8_t>(v)); break;
      case DType::int8: store(static_cast<int8_t>(v)); break;
      case DType::uint16: store(static_cast<uint16_t>(v)); break;
      case DType::int16: store(static_cast<int16_t>(v)); break;
      case DType::uint32: store(static_cast<uint32_t>(v)); break;
      case DType::int32: store(static_cast<int32_t>(v)); break;
      case DType::uint64: store(static_cast<uint64_t>(v)); break;
      case DType::int64: store(static_cast<int64_t>(v)); break;
      case DType::float32: store(static_cast<float>(v)); break;
      case DType::float64: store(v); break;
    }
  }
  return array;
}

NpyArray make_npy_uint8(std::vector<size_t> shape, std::span<const uint8_t> values) {
  NpyArray array;
  array.dtype = DType::uint8;
  array.shape = std::move(shape);
  if (values.size() != array.count()) {
    fail("make_npy_uint8: " + std::to_string(values.size()) + " values for shape " + array.shape_text());
  }
  array.bytes.assign(values.begin(), values.end());
  return array;
}

}  // namespace medrepro::datasets
