#pragma once
// The report of the classification part: Tables 1 and 2 reported | reproduced |
// verdict, every classifier's scores, the claims judged, the leak risk of the data,
// model summaries and deviations, written from the runs' result files only.
#include <filesystem>
#include <vector>

#include "datasets/brain_tumor_mri.h"
#include "papers/common/classifier_training.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/json.h"
#include "papers/rezaei_brain_mri/profiles.h"
#include "papers/rezaei_brain_mri/tumour_images.h"

namespace rezaei {

// A CNN run's result file: its epochs and its test predictions by data-set item
// (`items` maps the examples' indices to the data set's).
medrepro::report::Json cnn_run_to_json(const medrepro::papers::TrainingResult& result,
                                       const std::vector<size_t>& items);

struct ReportInputs {
  medrepro::report::RunInfo run_info;
  medrepro::report::Json provenance;
  Profile profile;
  const medrepro::datasets::BrainTumorMri& data;
  medrepro::datasets::Split deduplicated;
  ClassificationSplit split;
  NearTwins twins;
  std::vector<medrepro::papers::FinishedRun> runs;
  double wall_seconds = 0;
};

// report.md, table_1.csv, table_2.csv and predictions/<run>.csv under `out`.
void write_report(const std::filesystem::path& out, const ReportInputs& inputs);

}  // namespace rezaei
