#include "papers/common/json.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/error.h"
#include "papers/common/files.h"

namespace medrepro::report {

double Json::number() const {
  if (!is_number()) fail("JSON value is not a number");
  return std::get<double>(value_);
}
const std::string& Json::string() const {
  if (!is_string()) fail("JSON value is not a string");
  return std::get<std::string>(value_);
}
const Json::Array& Json::array() const {
  if (!is_array()) fail("JSON value is not an array");
  return std::get<Array>(value_);
}
const Json::Object& Json::object() const {
  if (!is_object()) fail("JSON value is not an object");
  return std::get<Object>(value_);
}

bool Json::contains(const std::string& key) const {
  if (!is_object()) return false;
  for (const auto& [k, v] : object()) {
    if (k == key) return true;
  }
  return false;
}

const Json& Json::operator[](const std::string& key) const {
  for (const auto& [k, v] : object()) {
    if (k == key) return v;
  }
  fail("JSON object has no key '" + key + "'");
}

Json& Json::set(const std::string& key, Json value) {
  if (is_null()) value_ = Object{};
  auto& members = std::get<Object>(value_);
  for (auto& [k, v] : members) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  members.emplace_back(key, std::move(value));
  return *this;
}

Json& Json::push(Json value) {
  if (is_null()) value_ = Array{};
  std::get<Array>(value_).push_back(std::move(value));
  return *this;
}

namespace {
void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}
}  // namespace

void Json::write(std::string& out, int indent, int depth) const {
  std::string pad, end_pad;  // built in steps: GCC 12 warns falsely (-Wrestrict) on "\n" + string
  if (indent > 0) {
    pad.append(1, '\n').append(size_t(indent * (depth + 1)), ' ');
    end_pad.append(1, '\n').append(size_t(indent * depth), ' ');
  }
  if (is_null()) {
    out += "null";
  } else if (auto* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (auto* d = std::get_if<double>(&value_)) {
    if (!std::isfinite(*d)) {
      out += "null";  // JSON has no NaN or Inf
    } else {
      // The shortest text that reads back as the same double, so files round-trip exactly.
      char buffer[32];
      const auto result = std::to_chars(buffer, buffer + sizeof buffer, *d);
      out.append(buffer, result.ptr);
    }
  } else if (auto* s = std::get_if<std::string>(&value_)) {
    write_string(out, *s);
  } else if (auto* a = std::get_if<Array>(&value_)) {
    const bool flat = std::all_of(a->begin(), a->end(), [](const Json& j) { return j.is_number() || j.is_null(); });
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      out += i ? "," : "";
      if (!flat) out += pad;
      (*a)[i].write(out, indent, depth + 1);
    }
    if (!flat && !a->empty()) out += end_pad;
    out += ']';
  } else {
    const auto& o = std::get<Object>(value_);
    out += '{';
    for (size_t i = 0; i < o.size(); ++i) {
      out += i ? "," : "";
      out += pad;
      write_string(out, o[i].first);
      out += indent > 0 ? ": " : ":";
      o[i].second.write(out, indent, depth + 1);
    }
    if (!o.empty()) out += end_pad;
    out += '}';
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

namespace {
class Parser {
 public:
  Parser(const std::string& text, const std::string& source) : text_(text), source_(source) {}
  Json document() {
    Json value = parse_value();
    skip_space();
    if (pos_ != text_.size()) error("trailing characters");
    return value;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(source_ + ": invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool consume(const std::string& word) {
    if (text_.compare(pos_, word.size(), word) == 0) {
      pos_ += word.size();
      return true;
    }
    return false;
  }
  Json parse_value() {
    skip_space();
    if (pos_ >= text_.size()) error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return Json(parse_string());
    if (consume("true")) return Json(true);
    if (consume("false")) return Json(false);
    if (consume("null")) return Json();
    return parse_number();
  }
  Json parse_number() {
    const char* start = text_.c_str() + pos_;
    char* end = nullptr;
    const double value = std::strtod(start, &end);
    if (end == start) error("expected a value");
    pos_ += size_t(end - start);
    return Json(value);
  }
  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) error("unterminated escape");
        const char e = text_[pos_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            if (pos_ + 4 > text_.size()) error("short \\u escape");
            const unsigned code = static_cast<unsigned>(std::stoul(text_.substr(pos_, 4), nullptr, 16));
            pos_ += 4;
            if (code < 0x80) {
              out += static_cast<char>(code);
            } else if (code < 0x800) {
              out += static_cast<char>(0xC0 | (code >> 6));
              out += static_cast<char>(0x80 | (code & 0x3F));
            } else {
              out += static_cast<char>(0xE0 | (code >> 12));
              out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (code & 0x3F));
            }
            break;
          }
          default: out += e;
        }
      } else {
        out += c;
      }
    }
    if (pos_ >= text_.size()) error("unterminated string");
    ++pos_;
    return out;
  }
  Json parse_array() {
    ++pos_;
    Json::Array items;
    skip_space();
    if (consume("]")) return Json(std::move(items));
    while (true) {
      items.push_back(parse_value());
      skip_space();
      if (consume("]")) return Json(std::move(items));
      if (!consume(",")) error("expected , or ]");
    }
  }
  Json parse_object() {
    ++pos_;
    Json::Object members;
    skip_space();
    if (consume("}")) return Json(std::move(members));
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') error("expected a key");
      std::string key = parse_string();
      skip_space();
      if (!consume(":")) error("expected :");
      members.emplace_back(std::move(key), parse_value());
      skip_space();
      if (consume("}")) return Json(std::move(members));
      if (!consume(",")) error("expected , or }");
    }
  }

  const std::string& text_;
  const std::string& source_;
  size_t pos_ = 0;
};
}  // namespace

Json Json::parse(const std::string& text, const std::string& source) { return Parser(text, source).document(); }

Json Json::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("Cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, path);
}

void Json::save(const std::string& path) const { write_file_atomically(path, dump() + "\n"); }

}  // namespace medrepro::report
