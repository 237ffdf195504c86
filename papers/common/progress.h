#pragma once
#include <string>

namespace medrepro::papers {

// "45s", "3m05s", "1h12m": durations on progress lines.
std::string format_duration(double seconds);

}  // namespace medrepro::papers
