#include "core/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"

namespace medrepro {

Args::Args(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
    } else if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::string value = "true";
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        value = argv[++i];
      }
      values_[name] = value;
      used_[name] = false;
    } else {
      positional_.push_back(arg);
    }
  }
}

std::string Args::text(const std::string& name, const std::string& fallback) {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  used_[name] = true;
  return it->second;
}

long long Args::integer(const std::string& name, long long fallback) {
  const std::string value = text(name, "");
  if (value.empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  const long long result = std::strtoll(value.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) fail("--" + name + " expects an integer, got '" + value + "'");
  return result;
}

long long Args::positive(const std::string& name, long long fallback) {
  if (text(name, "").empty()) return fallback;
  const long long result = integer(name, fallback);
  if (result < 1) fail("--" + name + " must be at least 1, got " + text(name, ""));
  return result;
}

double Args::number(const std::string& name, double fallback) {
  const std::string value = text(name, "");
  if (value.empty()) return fallback;
  char* end = nullptr;
  const double result = std::strtod(value.c_str(), &end);
  if (*end != '\0') fail("--" + name + " expects a number, got '" + value + "'");
  return result;
}

bool Args::flag(const std::string& name) {
  const std::string value = text(name, "false");
  if (value != "true" && value != "false") fail("--" + name + " is a flag and takes no value, got '" + value + "'");
  return value == "true";
}

DeviceOptions Args::device_options() {
  DeviceOptions options = DeviceOptions::from_environment();
  const long long index = integer("device", -1);
  if (index >= 0) options.index = static_cast<uint32_t>(index);
  if (flag("validation")) options.validation = true;
  return options;
}

void Args::finish() {
  if (help_) {
    std::printf("%s\n", usage_.c_str());
    std::exit(0);
  }
  for (const auto& [name, used] : used_) {
    if (!used) fail("Unknown option --" + name + "\n" + usage_);
  }
}

}  // namespace medrepro
