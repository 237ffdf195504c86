#pragma once
#include <cstddef>
#include <string>

namespace medrepro::papers {

// "45s", "3m05s", "1h12m": durations on progress lines.
std::string format_duration(double seconds);

// Where a run of `epochs` epochs of `batches` batches stands once batch `batch`
// (0-based) of epoch `epoch` (0-based) is done, `elapsed` seconds into that epoch:
// how far it is (0..1), and the seconds left at this epoch's pace.
struct RunPace {
  double fraction = 0, remaining_seconds = 0;
};
RunPace run_pace(int epoch, int epochs, size_t batch, size_t batches, double elapsed);

}  // namespace medrepro::papers
