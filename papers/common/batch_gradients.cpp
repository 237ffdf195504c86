#include "papers/common/batch_gradients.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"

namespace medrepro::papers {
namespace {

Tensor scaled(const Tensor& x, float factor) { return factor == 1.0f ? x : scale(x, factor); }

}  // namespace

Tensor BatchGradients::accumulate(Classifier& model, const Tensor& inputs, const Tensor& targets, int64_t step,
                                  const BatchLoss& loss) {
  const int64_t batch = inputs.shape()[0];
  for (;;) {
    try {
      return accumulate_split(model, inputs, targets, step, loss);
    } catch (const DeviceLimitExceeded&) {
      const int64_t largest_micro_batch = (batch + micro_batches_ - 1) / micro_batches_;
      if (largest_micro_batch == 1) throw;  // one image does not fit: nothing left to split
      for (nn::Parameter* p : model.parameters()) p->value.zero_grad();
      micro_batches_ = static_cast<int>(std::min<int64_t>(2 * int64_t(micro_batches_), batch));
    }
  }
}

Tensor BatchGradients::accumulate_split(Classifier& model, const Tensor& inputs, const Tensor& targets,
                                        int64_t step, const BatchLoss& loss) {
  const int64_t batch = inputs.shape()[0];
  const int64_t parts = std::min<int64_t>(micro_batches_, batch);
  Tensor main_loss;
  int64_t start = 0;
  for (int64_t part = 0; part < parts; ++part) {
    // Micro-batch sizes differ by at most one image.
    const int64_t count = batch / parts + (part < batch % parts ? 1 : 0);
    // Unsplit, the masks are seeded by the step as they always were; split, every part of every step its own.
    model.set_training_step(parts == 1 ? step : step * parts + part);
    const Tensor part_inputs = parts == 1 ? inputs : slice(inputs, 0, start, count);
    const Tensor part_targets = parts == 1 ? targets : slice(targets, 0, start, count);
    const float share = static_cast<float>(double(count) / double(batch));

    const std::vector<Classifier::Head> heads = model.training_heads(part_inputs);
    const Tensor part_loss = loss(heads[0].logits, part_targets);
    Tensor objective = scaled(part_loss, heads[0].loss_weight * share);
    for (size_t h = 1; h < heads.size(); ++h) {
      objective = add(objective, scaled(loss(heads[h].logits, part_targets), heads[h].loss_weight * share));
    }
    objective.backward();

    const Tensor weighted = scaled(part_loss.detach(), share);
    main_loss = main_loss.defined() ? add(main_loss, weighted) : weighted;
    start += count;
  }
  return main_loss;
}

}  // namespace medrepro::papers
