#include "papers/common/model_summary.h"

#include <sstream>

#include "core/autograd.h"
#include "papers/common/report_text.h"

namespace medrepro::report {

std::vector<LayerRow> summarize_layers(nn::Sequential& body, const std::vector<int64_t>& input) {
  NoGradGuard no_grad;
  const bool was_training = body.training();
  body.eval();
  std::vector<LayerRow> rows;
  Tensor h = Tensor::zeros(Shape(input.begin(), input.end()));
  for (size_t i = 0; i < body.size(); ++i) {
    nn::Module& layer = body.layer(i);
    nn::reset_forward_flops();
    h = layer.forward(h);
    rows.push_back({layer.describe(), std::vector<int64_t>(h.shape().begin() + 1, h.shape().end()),
                    layer.parameter_count(), nn::forward_flops()});
  }
  body.train(was_training);
  return rows;
}

double total_flops(const std::vector<LayerRow>& layers) {
  double flops = 0;
  for (const LayerRow& layer : layers) flops += layer.flops;
  return flops;
}

std::string render_model_summary(const ModelSummary& model) {
  std::ostringstream md;
  md << "### " << model.title << " (" << model.input << "; " << human_count(double(model.parameters))
     << " parameters in total, " << human_count(total_flops(model.layers))
     << "FLOP per image)\n\n| Layer | Output | Parameters | FLOPs |\n|---|---|---|---|\n";
  for (const LayerRow& layer : model.layers) {
    md << "| " << layer.name << " | " << shape_text(layer.output) << " | " << human_count(double(layer.parameters))
       << " | " << (layer.flops > 0 ? human_count(layer.flops) : "") << " |\n";
  }
  return md.str();
}

}  // namespace medrepro::report
