#pragma once
// Command-line options shared by the executables: `--name value` or
// `--name=value`, flags as `--name`. Unknown options are an error naming them.
// Every executable takes --device N (see `medrepro devices`) and --validation.
#include <map>
#include <string>
#include <vector>

#include "core/device.h"

namespace medrepro {

class Args {
 public:
  Args(int argc, char** argv, std::string usage);

  std::string text(const std::string& name, const std::string& fallback);
  long long integer(const std::string& name, long long fallback);
  // A count that must be at least 1 (epochs, seeds, batch size) when given:
  // anything else is an error naming the option, never a silent default.
  long long positive(const std::string& name, long long fallback);
  double number(const std::string& name, double fallback);
  bool flag(const std::string& name);
  const std::vector<std::string>& positional() const { return positional_; }

  // --device N and --validation, over MEDREPRO_DEVICE and MEDREPRO_VALIDATION.
  DeviceOptions device_options();
  // Throws Error naming any option that no accessor asked for; --help prints usage.
  void finish();
  const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> used_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace medrepro
