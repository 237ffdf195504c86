#pragma once
// The training loop shared by the classification papers: mini-batches of any
// input pipeline (papers/common/examples.h: 2D images, multi-channel images,
// slice sequences, volumes) in a seeded shuffled order with seeded augmentation
// (split into micro-batches where the device's buffers cannot hold one,
// papers/common/batch_gradients.h), a pluggable optimiser (SGD, Adam, RMSProp),
// loss (softmax cross-entropy, class-weighted; multi-label BCE; squared hinge:
// papers/common/classifier_loss.h) and schedule (step, plateau, early stopping
// with the best epoch's weights restored), validation
// after every epoch, a test pass at the end with per-image predictions, a
// progress line, and end-of-epoch checkpoints from which an interrupted run
// resumes to the same final numbers.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/nn/module.h"
#include "core/adam.h"
#include "core/optim.h"
#include "core/rmsprop.h"
#include "core/schedules.h"
#include "datasets/batch.h"
#include "datasets/image.h"
#include "papers/common/classifier.h"
#include "papers/common/classifier_loss.h"
#include "papers/common/epoch_state.h"
#include "papers/common/examples.h"
#include "papers/common/json.h"

namespace medrepro::papers {

// Builds the optimiser over the parameters the loop trains.
using OptimizerFactory = std::function<std::unique_ptr<Optimizer>(std::vector<nn::Parameter*>)>;
OptimizerFactory sgd_optimizer(SgdOptions options);
OptimizerFactory adam_optimizer(AdamOptions options);
OptimizerFactory rmsprop_optimizer(RmsPropOptions options);

// Which validation number the plateau schedule and early stopping watch.
enum class Monitor { ValidationLoss, ValidationAccuracy };

struct TrainingConfig {
  std::string name;  // shown in progress lines, stored in checkpoints
  int epochs = 30;
  size_t batch_size = 64;
  // A last batch of one example joins the batch before it: batch norm cannot normalise
  // a single example in training mode (Keras lets it, degenerately; PyTorch refuses).
  bool fold_single_example_batch = false;
  size_t evaluation_batch_size = 100;  // validation and test batches: a speed setting
  SgdOptions sgd;                   // the optimiser when make_optimizer is empty
  OptimizerFactory make_optimizer;  // empty: SGD with `sgd`
  LossKind loss = LossKind::SoftmaxCrossEntropy;
  // Softmax cross-entropy weights per class (empty: unweighted), for training and validation loss.
  std::vector<float> class_weights;
  std::vector<float> pos_weight;  // multi-label BCE: weight of each label's positives (empty: 1)
  // At most one learning-rate schedule: Caffe's step policy per SGD step, or a
  // reduction on a plateau of the monitored metric after each epoch.
  std::optional<StepSchedule> step_schedule;
  std::optional<PlateauOptions> plateau;  // its mode follows `monitor`
  // Stops once the monitored metric has not improved for `patience` epochs (its
  // mode follows `monitor`); the best epoch's weights are tested when asked.
  std::optional<EarlyStoppingOptions> early_stopping;
  bool restore_best_weights = true;
  Monitor monitor = Monitor::ValidationLoss;
  uint64_t seed = 1;                // order of the mini-batches and the augmentation of each epoch
  datasets::BatchOptions input;     // ImageSet overloads: network input size and normalisation
  std::string checkpoint_path;      // empty: no checkpoints
  // A checkpoint is written at the end of an epoch once this much training time
  // has passed since the last one (0: after every epoch). Bounds the work an
  // interruption loses without letting large models spend their time on disk.
  double checkpoint_interval_seconds = 0;
  // Appended to the progress line, given how far this run is (0..1): where the
  // whole experiment stands (RunContext::plan_progress).
  std::function<std::string(double)> plan_progress;
};

struct Prediction {
  size_t item = 0;  // index into the data set
  int truth = 0, predicted = 0;     // class indices; -1 for multi-label examples
  std::vector<float> probabilities;  // BatchLoss::outputs: raw scores for the squared hinge
  std::vector<float> targets;        // multi-label examples only: the binary labels
};

struct Evaluation {
  // Accuracy in percent: of examples whose highest output is their class, or, multi-label,
  // of labels whose probability is on the same side of 0.5 as the target.
  double loss = 0, accuracy = 0;
  std::vector<Prediction> predictions;
};

struct TrainingResult {
  std::vector<EpochRecord> epochs;  // the completed epochs
  double train_seconds = 0;  // sum of the epochs' training time, across resumes
  Evaluation test;           // empty when the run diverged
  bool resumed = false;
  // With early stopping: the epoch (1-based) whose weights were tested, and
  // whether training stopped before its last epoch.
  int best_epoch = 0;
  bool stopped_early = false;
  // The training loss became NaN or Inf at this step, or the validation loss did
  // after the epoch ending at it, or that epoch's mean training loss blew up while
  // staying finite (papers/common/divergence.h): training stopped there and the
  // model was not tested. A result of the protocol, not an error of the program.
  std::optional<int64_t> diverged_at_step;
  std::string divergence;  // the message, naming the step
};

// The loss a configuration trains with, for `classes` outputs.
BatchLoss batch_loss(const TrainingConfig& config, size_t classes);

Evaluation evaluate(Classifier& model, const Examples& examples, const std::vector<size_t>& items, size_t batch_size,
                    bool keep_predictions, const BatchLoss& loss);
Evaluation evaluate(Classifier& model, const datasets::ImageSet& set, const std::vector<size_t>& items,
                    const datasets::BatchOptions& input, size_t batch_size, bool keep_predictions,
                    const std::vector<float>& class_weights = {});

TrainingResult train_classifier(Classifier& model, const Examples& examples, const std::vector<size_t>& train,
                                const std::vector<size_t>& val, const std::vector<size_t>& test,
                                const TrainingConfig& config);
// 2D grey images at config.input's size and normalisation, not augmented.
TrainingResult train_classifier(Classifier& model, const datasets::ImageSet& set, const std::vector<size_t>& train,
                                const std::vector<size_t>& val, const std::vector<size_t>& test,
                                const TrainingConfig& config);

}  // namespace medrepro::papers
