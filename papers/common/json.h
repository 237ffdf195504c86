#pragma once
// A small JSON value: enough to write run.json and read reported.json. Objects
// keep their insertion order, so files diff cleanly between runs.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace medrepro::report {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(int64_t value) : value_(static_cast<double>(value)) {}
  Json(uint64_t value) : value_(static_cast<double>(value)) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(Array value) : value_(std::move(value)) {}
  Json(Object value) : value_(std::move(value)) {}
  template <class T>
  static Json array_of(const std::vector<T>& values) {
    Array out;
    for (const T& v : values) out.emplace_back(v);
    return out;
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_number() const { return std::holds_alternative<double>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<Array>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }

  double number() const;
  const std::string& string() const;
  const Array& array() const;
  const Object& object() const;
  bool contains(const std::string& key) const;
  const Json& operator[](const std::string& key) const;  // Error naming the key if absent
  Json& set(const std::string& key, Json value);          // adds or replaces; returns *this
  Json& push(Json value);                                  // appends to an array

  std::string dump(int indent = 2) const;
  static Json parse(const std::string& text, const std::string& source = "JSON");
  static Json load(const std::string& path);
  void save(const std::string& path) const;  // atomic: temporary file + rename

 private:
  void write(std::string& out, int indent, int depth) const;
  std::variant<std::monostate, bool, double, std::string, Array, Object> value_;
};

}  // namespace medrepro::report
