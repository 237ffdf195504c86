#include "papers/common/divergence.h"

#include <cmath>
#include <cstdio>

namespace medrepro::papers {

std::optional<std::string> finite_blow_up(double epoch_loss, double chance_loss) {
  if (!std::isfinite(epoch_loss) || epoch_loss <= kBlowUpOverChance * chance_loss) return std::nullopt;
  char text[160];
  std::snprintf(text, sizeof text, "mean training loss %.3g, over %g times the loss of a uniform guess (%.3g)",
                epoch_loss, kBlowUpOverChance, chance_loss);
  return std::string(text);
}

}  // namespace medrepro::papers
