#include "papers/common/model_summary.h"

#include <sstream>

#include "papers/common/report_text.h"

namespace medrepro::report {

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
