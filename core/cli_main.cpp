// medrepro: `medrepro devices` lists the Vulkan devices and their limits.
#include <cstdio>
#include <cstring>
#include <exception>

#include "core/device.h"

int main(int argc, char** argv) {
  try {
    if (argc >= 2 && std::strcmp(argv[1], "devices") == 0) {
      for (const auto& info : medrepro::list_devices()) std::printf("%s\n", medrepro::describe(info).c_str());
      return 0;
    }
    std::fprintf(stderr, "usage: medrepro devices\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
