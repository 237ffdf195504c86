#pragma once
#include <string>

namespace medrepro::report {

// Writes `content` to `path` through a temporary file and a rename, so a reader
// never sees half a file and an interrupted run leaves the old one.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace medrepro::report
