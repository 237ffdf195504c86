#pragma once
// Number formatting shared by the reports' tables and prose.
#include <cstdint>
#include <string>
#include <vector>

namespace medrepro::report {

// "3.142" for fixed(3.14159, 3).
std::string fixed(double v, int decimals);
// Up to 10 significant digits and no trailing zeros: "1.1", "1655", "0.67".
std::string plain(double v);
// Counts with an SI prefix: "520", "25.1 k", "4.25 M", "1.20 G".
std::string human_count(double v);
// A per-image shape as "20×60×60".
std::string shape_text(const std::vector<int64_t>& shape);

}  // namespace medrepro::report
