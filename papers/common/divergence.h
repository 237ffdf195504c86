#pragma once
// When a training run has diverged. A loss that becomes NaN or Inf has (the loss
// log and the loops stop there); so has one that blows up and stays finite: SGD
// at Khan & Yong's learning rate took LeNet's mean training loss from 0.3 to 1e26
// without a single NaN, and its test accuracy fell to chance.
#include <optional>
#include <string>

namespace medrepro::papers {

// Far beyond the loss of a uniform guess (ln C for C classes): confidently wrong
// on most of an epoch, which training that works never is after its first steps.
constexpr double kBlowUpOverChance = 10;

// Why an epoch whose mean training loss is `epoch_loss` ends its run as diverged,
// or nothing. `chance_loss` is the loss of a uniform prediction.
std::optional<std::string> finite_blow_up(double epoch_loss, double chance_loss);

}  // namespace medrepro::papers
