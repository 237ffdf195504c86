#pragma once
// Where the data sets live.
#include <filesystem>

namespace medrepro::datasets {

// The directory that holds the data sets (MedNIST.tar.gz, ...), first match of:
//   1. $MEDREPRO_DATA, if set (returned as given, even if it does not exist);
//   2. ../shared/datasets relative to the current directory (run from the checkout);
//   3. ../../shared/datasets (run from build/);
//   4. <source dir>/../shared/datasets, fixed at compile time.
// If none exists, the compile-time directory is returned; loaders then report
// the path they tried.
std::filesystem::path default_data_dir();

}  // namespace medrepro::datasets
