#include "papers/common/files.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace medrepro::report {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << content;
    out.flush();
    if (!out) fail("Cannot write " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace medrepro::report
