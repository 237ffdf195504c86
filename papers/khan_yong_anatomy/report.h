#pragma once
// Khan & Yong's report: Table II beside the paper's numbers, the claims with
// verdicts, model summaries, figures and the list of deviations.
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/batch.h"
#include "datasets/image.h"
#include "datasets/split.h"
#include "papers/common/json.h"
#include "papers/common/run_info.h"
#include "papers/khan_yong_anatomy/experiment.h"
#include "papers/khan_yong_anatomy/models.h"

namespace khan_yong {

struct ReportInputs {
  const medrepro::report::RunInfo& run_info;  // of the invocation that writes the report
  const medrepro::report::Json& provenance;   // which commits, devices and hosts made the runs
  const Profile& profile;
  const medrepro::datasets::ImageSet& set;
  const medrepro::datasets::Split& test_split;
  const std::vector<size_t>& sizes_per_class;
  const std::vector<std::string>& models;
  const std::vector<Run>& runs;
  double wall_seconds;
};

// Figures 7-11: the first convolution's filters and, for one test image per
// class, the feature maps after it.
void write_model_figures(const std::filesystem::path& out, const std::string& model, SequentialClassifier& network,
                         const medrepro::datasets::ImageSet& set, const std::vector<size_t>& test,
                         const medrepro::datasets::BatchOptions& input);

void write_report(const std::filesystem::path& out, const ReportInputs& inputs,
                  const medrepro::report::Json& reported);

}  // namespace khan_yong
