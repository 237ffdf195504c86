#include "datasets/paths.h"

#include <cstdlib>

#ifndef MEDREPRO_DEFAULT_DATA_DIR
#define MEDREPRO_DEFAULT_DATA_DIR "../shared/datasets"
#endif

namespace medrepro::datasets {

std::filesystem::path default_data_dir() {
  if (const char* env = std::getenv("MEDREPRO_DATA"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  for (const char* relative : {"../shared/datasets", "../../shared/datasets"}) {
    const std::filesystem::path candidate = std::filesystem::current_path(ec) / relative;
    if (!ec && std::filesystem::is_directory(candidate, ec)) return candidate.lexically_normal();
  }
  return MEDREPRO_DEFAULT_DATA_DIR;
}

}  // namespace medrepro::datasets
