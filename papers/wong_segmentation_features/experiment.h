#pragma once
// The runs of the Wong et al. analogue and what each returns:
//  - two segmentation runs, one M-Net per label source (ASEG for the paper's
//    MANUAL, KMEANS for its THRESHOLD), each saving its trained network beside
//    its result for the classification runs that read its features;
//  - classification runs per framework (ASEG and KMEANS features, SCRATCH),
//    repetition and training-set size, the frameworks sharing each repetition's
//    draws and augmentation seeds (paired).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/brain_tumor_mri.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/json.h"
#include "papers/wong_segmentation_features/mnet.h"
#include "papers/wong_segmentation_features/mricrop.h"
#include "papers/wong_segmentation_features/profiles.h"
#include "papers/wong_segmentation_features/segmentation_stage.h"
#include "papers/wong_segmentation_features/tumour_draws.h"

namespace medrepro::wong {

enum class Framework { Aseg, KMeans, Scratch };
inline constexpr Framework kFrameworks[] = {Framework::Aseg, Framework::KMeans, Framework::Scratch};
std::string framework_name(Framework framework);    // "aseg", "kmeans", "scratch"
std::string framework_title(Framework framework);   // "ASEG features (MANUAL)", ...
std::string source_name(LabelSource source);        // "aseg", "kmeans"

std::string segmentation_run_id(LabelSource source);  // "segment_aseg"
std::string classification_run_id(Framework framework, int repetition, size_t tumorous);  // "classify_aseg_rep1_n10"

// The M-Net of a label source at the profile's width, skip reading (A) as the notes pick.
MNetOptions mnet_options(const Profile& profile, LabelSource source, uint64_t seed = 1);
// The file in a segmentation run's artefact folder that holds its trained network.
inline constexpr const char* kMNetFile = "mnet.ckpt";

// Trains an M-Net on `data` (Adam 1e-3, Eq. 2 label weights, the paper's augmentation),
// saves it to the run's artefact folder, and returns the per-epoch record, Dice per label on the
// held-out slices and three held-out slices (one per orientation) with their labels and
// prediction, for the overlays; with `independent`, the same on MRIcrop's structures.
report::Json perform_segmentation(const Profile& profile, LabelSource source, const SegmentationData& data,
                                  const CropSlices* independent, papers::RunContext& context);

struct ClassificationTask {
  const datasets::BrainTumorMri& data;
  const TumourDraw& draw;  // of the run's repetition
  Framework framework;
  int repetition = 1;
  size_t tumorous = 10;
};

// Trains the framework's classifier on the task's training set (Adam 1e-4, Eq. 2 class
// weights, the paper's augmentation, the last epoch tested: no model selection) and
// returns the confusion matrix on the paper-mix test set with accuracy, Cohen's kappa and
// F1 per class. Feature frameworks read the M-Net of their label source's segmentation run.
report::Json perform_classification(const Profile& profile, const ClassificationTask& task,
                                    papers::RunContext& context);

}  // namespace medrepro::wong
