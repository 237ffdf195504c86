#include "core/schedules.h"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.h"

namespace medrepro {
namespace {

double worst(MetricMode mode) {
  const double inf = std::numeric_limits<double>::infinity();
  return mode == MetricMode::Min ? inf : -inf;
}

}  // namespace

ReduceLROnPlateau::ReduceLROnPlateau(double initial_rate, PlateauOptions options)
    : options_(options), rate_(initial_rate), best_(worst(options.mode)) {
  if (!(options.factor > 0.0 && options.factor < 1.0)) {
    fail("ReduceLROnPlateau: factor must lie in (0, 1), got " + std::to_string(options.factor));
  }
  if (options.patience < 0 || options.cooldown < 0) fail("ReduceLROnPlateau: patience and cooldown must be >= 0");
}

bool ReduceLROnPlateau::better(double metric) const {
  const bool relative = options_.threshold_mode == ThresholdMode::Relative;
  if (options_.mode == MetricMode::Min) {
    return metric < (relative ? best_ * (1.0 - options_.threshold) : best_ - options_.threshold);
  }
  return metric > (relative ? best_ * (1.0 + options_.threshold) : best_ + options_.threshold);
}

double ReduceLROnPlateau::step(double metric) {
  ++epochs_;
  reduced_ = false;
  if (better(metric)) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_remaining_ > 0) {
    --cooldown_remaining_;
    bad_epochs_ = 0;  // bad epochs during the cooldown do not count
  }
  if (bad_epochs_ > options_.patience) {
    const double reduced = std::max(rate_ * options_.factor, options_.min_lr);
    if (rate_ - reduced > options_.eps) {
      rate_ = reduced;
      reduced_ = true;
    }
    cooldown_remaining_ = options_.cooldown;
    bad_epochs_ = 0;
  }
  return rate_;
}

void ReduceLROnPlateau::restore(const State& state) {
  rate_ = state.rate;
  best_ = state.best;
  bad_epochs_ = state.bad_epochs;
  cooldown_remaining_ = state.cooldown_remaining;
  epochs_ = state.epochs;
  reduced_ = false;
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(options), best_(worst(options.mode)) {
  if (options.patience < 1) fail("EarlyStopping: patience must be >= 1, got " + std::to_string(options.patience));
  if (!(options.min_delta >= 0.0)) fail("EarlyStopping: min_delta must be >= 0");
}

void EarlyStopping::restore(const State& state) {
  best_ = state.best;
  best_epoch_ = state.best_epoch;
  bad_epochs_ = state.bad_epochs;
  epochs_ = state.epochs;
  improved_ = false;
}

bool EarlyStopping::step(double metric) {
  improved_ = options_.mode == MetricMode::Min ? metric < best_ - options_.min_delta
                                               : metric > best_ + options_.min_delta;
  if (improved_) {
    best_ = metric;
    best_epoch_ = epochs_;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  ++epochs_;
  return should_stop();
}

}  // namespace medrepro
