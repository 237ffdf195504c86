#pragma once
// What a report says about the run that made it: command, commit, date, device,
// so every number can be traced and repeated.
#include <string>

#include "papers/common/json.h"

namespace medrepro::report {

struct RunInfo {
  std::string command;       // as typed, arguments quoted where needed
  std::string git_commit;    // of the source tree the binary was built from, "+dirty" if modified
  std::string started_utc;   // ISO 8601
  std::string device_name, device_vendor, device_type, device_driver, vulkan_version;
  std::string host;

  Json to_json() const;
};

// Call after the Vulkan device is open.
RunInfo collect_run_info(int argc, char** argv);
std::string utc_now();

}  // namespace medrepro::report
