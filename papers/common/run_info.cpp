#include "papers/common/run_info.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>

#include "core/device.h"

#ifndef MEDREPRO_SOURCE_DIR
#define MEDREPRO_SOURCE_DIR "."
#endif

namespace medrepro::report {
namespace {

std::string run_command(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::array<char, 256> buffer;
    while (std::fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string quote(const std::string& arg) {
  if (arg.find_first_of(" \t'\"$") == std::string::npos && !arg.empty()) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

RunInfo collect_run_info(int argc, char** argv) {
  RunInfo info;
  for (int i = 0; i < argc; ++i) info.command.append(i ? " " : "").append(quote(argv[i]));
  const std::string git = "git -C '" + std::string(MEDREPRO_SOURCE_DIR) + "' ";
  info.git_commit = run_command(git + "rev-parse HEAD 2>/dev/null");
  if (info.git_commit.empty()) info.git_commit = "unknown (not a git checkout)";
  else if (!run_command(git + "status --porcelain --untracked-files=no 2>/dev/null").empty()) info.git_commit += "+dirty";
  info.started_utc = utc_now();
  const PhysicalDeviceInfo& device = Context::get().info();
  info.device_name = device.name;
  info.device_vendor = device.vendor;
  info.device_type = device.type;
  info.device_driver = device.driver_version;
  info.vulkan_version = device.api_version;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  info.host = host;
  return info;
}

Json RunInfo::to_json() const {
  Json j;
  j.set("command", command).set("git_commit", git_commit).set("started_utc", started_utc);
  j.set("device", Json().set("name", device_name).set("vendor", device_vendor).set("type", device_type)
                        .set("driver", device_driver).set("vulkan", vulkan_version));
  j.set("host", host);
  return j;
}

}  // namespace medrepro::report
