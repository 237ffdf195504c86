#pragma once
// The report of the Wong et al. analogue: the Dice tables beside Table 1, the
// learning curves of Figure 5 (accuracy, kappa, F1 per class), segmentation
// overlays, parameter counts beside the paper's, the claims judged, deviations.
#include <filesystem>
#include <string>
#include <vector>

#include "papers/common/experiment_runner.h"
#include "papers/common/json.h"
#include "papers/common/run_info.h"
#include "papers/wong_segmentation_features/profiles.h"

namespace medrepro::wong {

struct ReportInputs {
  const report::RunInfo& run_info;   // of the invocation that writes the report
  const report::Json& provenance;    // which commits, devices and hosts made the runs
  const Profile& profile;
  const std::vector<papers::FinishedRun>& runs;
  double wall_seconds;
  std::string brain_sha256, tumour_sha256;
};

void write_report(const std::filesystem::path& out, const ReportInputs& inputs);

}  // namespace medrepro::wong
