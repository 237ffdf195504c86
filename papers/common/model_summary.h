#pragma once
// A model's layer table: each layer's output shape per image, parameters and
// forward FLOPs. The paper's code walks its network and supplies the rows.
#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/layers.h"

namespace medrepro::report {

struct LayerRow {
  std::string name;             // e.g. "Conv2d 1->20 5x5/1"
  std::vector<int64_t> output;  // per image, without the batch axis
  int64_t parameters = 0;
  double flops = 0;  // forward, per image; 0 for layers that are not counted
};

struct ModelSummary {
  std::string title;        // e.g. "LeNet"
  std::string input;        // e.g. "64×64 input"
  int64_t parameters = 0;   // of the whole model (may exceed the rows' sum: auxiliary heads)
  std::vector<LayerRow> layers;
};

// The rows of a Sequential network, layer by layer, from one zero input of `input`'s
// shape (batch axis first, e.g. {1, 1, 64, 64}), in evaluation mode.
std::vector<LayerRow> summarize_layers(nn::Sequential& body, const std::vector<int64_t>& input);

double total_flops(const std::vector<LayerRow>& layers);
// "### title (input; P parameters in total, F FLOP per image)" and the table
// "| Layer | Output | Parameters | FLOPs |".
std::string render_model_summary(const ModelSummary& model);

}  // namespace medrepro::report
