#include "papers/common/schedule_state.h"

#include <string>

#include "core/error.h"
#include "papers/common/json.h"

namespace medrepro::papers {
namespace {

constexpr const char* kBestWeightsPrefix = "best_weights/";

}  // namespace

void save_schedules(Checkpoint& state, const std::optional<ReduceLROnPlateau>& plateau,
                    const std::optional<EarlyStopping>& stopper, const std::optional<Checkpoint>& best_weights) {
  if (plateau) {
    const auto p = plateau->state();
    state.metadata["plateau"] = report::Json()
                                    .set("rate", p.rate)
                                    .set("best", p.best)
                                    .set("bad_epochs", p.bad_epochs)
                                    .set("cooldown_remaining", p.cooldown_remaining)
                                    .set("epochs", p.epochs)
                                    .dump(0);
  }
  if (stopper) {
    const auto e = stopper->state();
    state.metadata["early_stopping"] = report::Json()
                                           .set("best", e.best)
                                           .set("best_epoch", e.best_epoch)
                                           .set("bad_epochs", e.bad_epochs)
                                           .set("epochs", e.epochs)
                                           .dump(0);
  }
  if (best_weights) {
    for (const auto& [name, tensor] : best_weights->tensors) state.tensors[kBestWeightsPrefix + name] = tensor;
  }
}

void restore_schedules(const Checkpoint& state, std::optional<ReduceLROnPlateau>& plateau,
                       std::optional<EarlyStopping>& stopper, std::optional<Checkpoint>& best_weights,
                       Optimizer& optimizer) {
  auto saved = [&](const char* key) {
    if (!state.metadata.count(key)) fail(std::string("The checkpoint has no ") + key + " state: it was written by a run with other settings");
    return report::Json::parse(state.metadata.at(key), key);
  };
  if (plateau) {
    const report::Json p = saved("plateau");
    plateau->restore({p["rate"].number(), p["best"].number(), int(p["bad_epochs"].number()),
                      int(p["cooldown_remaining"].number()), int64_t(p["epochs"].number())});
    optimizer.set_learning_rate(static_cast<float>(plateau->learning_rate()));
  }
  if (stopper) {
    const report::Json e = saved("early_stopping");
    stopper->restore({e["best"].number(), int64_t(e["best_epoch"].number()), int(e["bad_epochs"].number()),
                      int64_t(e["epochs"].number())});
  }
  const std::string prefix = kBestWeightsPrefix;
  for (const auto& [name, tensor] : state.tensors) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    if (!best_weights) best_weights.emplace();
    best_weights->tensors[name.substr(prefix.size())] = tensor;
  }
}

}  // namespace medrepro::papers
