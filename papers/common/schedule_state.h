#pragma once
// The learning-rate plateau, early stopping and the best epoch's weights travel in
// a training loop's checkpoint, so that a resumed run decides as the uninterrupted
// one would. Shared by the classifier and segmentation loops.
#include <optional>

#include "core/checkpoint.h"
#include "core/optim.h"
#include "core/schedules.h"

namespace medrepro::papers {

void save_schedules(Checkpoint& state, const std::optional<ReduceLROnPlateau>& plateau,
                    const std::optional<EarlyStopping>& stopper, const std::optional<Checkpoint>& best_weights);

// Restores what save_schedules wrote (the plateau's rate into `optimizer` too); fails
// when the checkpoint lacks a schedule this run has (written with other settings).
void restore_schedules(const Checkpoint& state, std::optional<ReduceLROnPlateau>& plateau,
                       std::optional<EarlyStopping>& stopper, std::optional<Checkpoint>& best_weights,
                       Optimizer& optimizer);

}  // namespace medrepro::papers
