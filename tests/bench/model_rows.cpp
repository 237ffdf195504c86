#include "tests/bench/model_rows.h"

#include <memory>
#include <vector>

#include "core/adam.h"
#include "core/autograd.h"
#include "core/nn/layers.h"
#include "core/ops/segmentation_loss.h"
#include "core/optim.h"
#include "papers/common/batch_gradients.h"
#include "papers/khan_yong_anatomy/models.h"
#include "papers/wong_segmentation_features/mnet.h"

namespace medrepro::bench {
namespace {


struct Training {
  std::unique_ptr<khan_yong::SequentialClassifier> model;
  std::unique_ptr<Sgd> sgd;
  papers::BatchGradients gradients;  // micro-batches where a batch exceeds the device's buffer limits
  Tensor images, labels;
  int64_t step_index = 0;

  void step() {
    sgd->zero_grad();
    gradients.accumulate(*model, images, labels, step_index++);
    sgd->step();
  }
};

// One step of Wong et al.'s M-Net segmentation training: forward, per-voxel cross-entropy, backward, Adam.
struct SegmentationTraining {
  std::unique_ptr<wong::MNet> model;
  std::unique_ptr<Adam> adam;
  Tensor images, labels;

  void step() {
    adam->zero_grad();
    weighted_cross_entropy_nd(model->forward(images), labels).backward();
    adam->step();
  }
};

}  // namespace

Row segmentation_step_row(int dims, int size, int64_t base_channels, int64_t batch, const Budget& budget) {
  const std::string model = "mnet" + std::to_string(dims) + "d";
  const std::string n = std::to_string(size);
  Shape image{batch, 1, size, size}, label_shape{batch, size, size};
  if (dims == 3) {
    image.push_back(size);
    label_shape.push_back(size);
  }
  Row row{"train step", "train step " + model + " @" + n,
          to_string(image) + ", n_s " + std::to_string(base_channels) + ", " + std::to_string(kSegmentationLabels) +
              " labels, fwd+cross-entropy+bwd+adam",
          Unit::ImagesPerSecond, static_cast<double>(batch), budget};
  row.device_time = false;
  row.budget.max_reps = 1;
  row.model = model;
  row.input_size = size;
  row.make = [=] {
    auto training = std::make_shared<SegmentationTraining>();
    wong::MNetOptions options;
    options.dims = dims;
    options.base_channels = base_channels;
    options.labels = kSegmentationLabels;
    options.seed = kModelSeed;
    training->model = std::make_unique<wong::MNet>(options);
    training->model->train();
    training->adam = std::make_unique<Adam>(training->model->parameters(), AdamOptions{});
    std::vector<float> labels(static_cast<size_t>(element_count(label_shape)));
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<float>(i % kSegmentationLabels);
    training->labels = Tensor::from_host(label_shape, labels);
    training->images = Tensor::full(image, 0.5f);
    return Work{.run = [training](int) { training->step(); }, .max_reps = 1};
  };
  row.peer = report::Json().set("kind", "segmentation_step").set("dims", dims).set("size", size)
                 .set("base_channels", base_channels).set("batch", batch).set("labels", kSegmentationLabels)
                 .set("seed", kModelSeed);
  return row;
}

int native_input_size(const std::string& model) {
  if (model == "lenet") return 28;
  if (model == "googlenet") return 224;
  return 227;
}

Row training_step_row(const std::string& model, int input_size, int64_t batch, const Budget& budget) {
  const std::string size = std::to_string(input_size);
  Row row{"train step", "train step " + model + " @" + size,
          "batch " + std::to_string(batch) + "x1x" + size + "x" + size +
              (model == "googlenet" ? ", fwd+aux heads+bwd+sgd" : ", fwd+bwd+sgd"),
          Unit::ImagesPerSecond, static_cast<double>(batch), budget};
  row.device_time = false;  // a step includes the host's recording; what training waits for is wall time
  row.budget.max_reps = 1;  // steps of a training loop are not batched any further
  row.model = model;
  row.input_size = input_size;
  row.make = [model, input_size, batch] {
    auto training = std::make_shared<Training>();
    training->model = khan_yong::make_model(model, input_size, kClasses, kModelSeed, khan_yong::Reading::Digits);
    training->model->train();
    training->sgd = std::make_unique<Sgd>(training->model->parameters(), SgdOptions{});
    std::vector<float> labels(static_cast<size_t>(batch));
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<float>(i % kClasses);
    training->labels = Tensor::from_host({batch}, labels);
    training->images = Tensor::full({batch, 1, input_size, input_size}, 0.5f);
    double forward_flops = 0;
    {
      NoGradGuard no_grad;  // an evaluation forward of one image: the main path, no auxiliary heads
      training->model->eval();
      nn::reset_forward_flops();
      training->model->forward(Tensor::zeros({1, 1, input_size, input_size}));
      forward_flops = nn::forward_flops();
      training->model->train();
    }
    auto note = [training, batch] {
      const int parts = training->gradients.micro_batches();
      if (parts == 1) return std::string();
      return "each step ran as " + std::to_string(parts) + " micro-batches of about " +
             std::to_string(batch / parts) + " images (the batch's activations exceed one device buffer)";
    };
    return Work{.run = [training](int) { training->step(); },
                .max_reps = 1,
                .note = note,
                .forward_flops_per_image = forward_flops};
  };
  row.peer = report::Json().set("kind", "train_step").set("model", model).set("input_size", input_size)
                 .set("batch", batch).set("classes", kClasses).set("seed", kModelSeed);
  return row;
}

}  // namespace medrepro::bench
