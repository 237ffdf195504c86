#include "papers/common/progress.h"

#include <cmath>
#include <cstdio>

namespace medrepro::papers {

std::string format_duration(double seconds) {
  char buffer[32];
  const int s = static_cast<int>(std::lround(seconds));
  if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%dh%02dm", s / 3600, (s / 60) % 60);
  else if (s >= 60) std::snprintf(buffer, sizeof buffer, "%dm%02ds", s / 60, s % 60);
  else std::snprintf(buffer, sizeof buffer, "%ds", s);
  return buffer;
}

RunPace run_pace(int epoch, int epochs, size_t batch, size_t batches, double elapsed) {
  const double done_in_epoch = double(batch + 1);
  return {double(size_t(epoch) * batches + batch + 1) / double(size_t(epochs) * batches),
          (double(batches - batch - 1) / done_in_epoch) * elapsed +
              double(epochs - epoch - 1) * elapsed * double(batches) / done_in_epoch};
}

}  // namespace medrepro::papers
