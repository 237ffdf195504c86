// medrepro: the engine's own command line.
//   medrepro devices        lists the Vulkan devices, their drivers and limits
//   medrepro demo [...]     trains LeNet on MedNIST through the core API, end to end
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <numeric>

#include "core/autograd.h"
#include "core/checkpoint.h"
#include "core/cli.h"
#include "core/device.h"
#include "core/error.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "core/nn/layers.h"
#include "core/ops/loss.h"
#include "core/optim.h"
#include "datasets/batch.h"
#include "datasets/mednist.h"
#include "datasets/paths.h"
#include "datasets/split.h"

namespace {

using namespace medrepro;
namespace nn = medrepro::nn;
namespace ds = medrepro::datasets;

const char* kUsage =
    "usage: medrepro devices\n"
    "       medrepro demo [--data DIR_OR_ARCHIVE] [--per-class K] [--epochs E] [--batch B] [--seed S]\n"
    "                     [--checkpoint FILE] [--device N] [--validation]\n"
    "  demo: LeNet (LeCun 1998, Caffe's variant) on MedNIST at 32x32, all six classes, K images per class\n"
    "        (default 600; 0 = all), 10% of them held out for test and 20% of the rest for validation.\n"
    "        With --checkpoint, training state is saved after every epoch and a rerun resumes from it.";

// Caffe's LeNet: conv 20@5x5, max-pool 2, conv 50@5x5, max-pool 2, fc 500 + ReLU, fc classes.
struct LeNet : nn::Sequential {
  LeNet(int64_t classes, uint64_t seed) {
    emplace<nn::Conv2d>(1, 20, 5, 1, 0, nn::WeightInit::xavier(), seed + 1);
    emplace<nn::MaxPool2d>(pool2d(2, 2));
    emplace<nn::Conv2d>(20, 50, 5, 1, 0, nn::WeightInit::xavier(), seed + 2);
    emplace<nn::MaxPool2d>(pool2d(2, 2));
    emplace<nn::Flatten>();
    emplace<nn::Linear>(50 * 5 * 5, 500, nn::WeightInit::xavier(), seed + 3);
    emplace<nn::ReLU>();
    emplace<nn::Linear>(500, classes, nn::WeightInit::xavier(), seed + 4);
  }
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

Evaluation evaluate(nn::Module& model, const ds::ImageSet& set, const std::vector<size_t>& items,
                    const ds::BatchOptions& batch_options, size_t batch) {
  NoGradGuard no_grad;
  model.eval();
  Evaluation result;
  std::vector<float> images, labels;
  size_t correct = 0;
  for (size_t start = 0; start < items.size(); start += batch) {
    const size_t count = std::min(batch, items.size() - start);
    ds::make_batch(set, std::span(items).subspan(start, count), batch_options, images, labels);
    const auto n = static_cast<int64_t>(count);
    Tensor logits = model(Tensor::from_host({n, 1, batch_options.height, batch_options.width}, images));
    result.loss += cross_entropy(logits, Tensor::from_host({n}, labels)).item() * double(count);
    const std::vector<float> scores = logits.to_host();
    const size_t classes = scores.size() / count;
    for (size_t i = 0; i < count; ++i) {
      const float* row = scores.data() + i * classes;
      correct += size_t(std::max_element(row, row + classes) - row) == size_t(labels[i]);
    }
  }
  model.train();
  result.loss /= double(items.size());
  result.accuracy = 100.0 * double(correct) / double(items.size());
  return result;
}

int demo(Args& args) {
  const std::string data = args.text("data", ds::default_data_dir().string());
  const auto per_class = static_cast<size_t>(args.positive("per-class", 600));
  const auto epochs = static_cast<int>(args.integer("epochs", 3));
  const auto batch = static_cast<size_t>(args.positive("batch", 64));
  const auto seed = static_cast<uint64_t>(args.integer("seed", 1));
  const std::string checkpoint_path = args.text("checkpoint", "");
  const DeviceOptions device_options = args.device_options();
  args.finish();
  if (epochs < 0) fail("--epochs must not be negative, got " + std::to_string(epochs));

  Context& context = Context::open(device_options);
  std::printf("device: %s (%s, %s)\n", context.info().name.c_str(), context.info().type.c_str(),
              context.info().driver_version.c_str());

  const ds::ImageSet set = ds::load_mednist(data, {{}, per_class});
  std::printf("data: %s, %zu images in %zu classes, sha256 %s\n", set.source.string().c_str(), set.size(),
              set.class_names.size(), set.sha256.c_str());
  const auto duplicates = ds::find_duplicate_groups(set.content_hashes);
  const size_t smallest_class = *std::min_element(set.class_counts.begin(), set.class_counts.end());
  const ds::Split split = ds::stratified_split(set.labels, duplicates, {seed, smallest_class / 10, 0.2, true});
  std::printf("split: %zu train, %zu validation, %zu test (%zu duplicate groups kept on one side, %zu copies dropped)\n",
              split.train.size(), split.val.size(), split.test.size(), duplicates.size(), split.dropped_duplicates);

  const ds::BatchOptions batch_options{32, 32, 0.0f, 1.0f};
  LeNet model(static_cast<int64_t>(set.class_names.size()), seed);
  Sgd sgd(model.parameters(), {0.01f, 0.9f, 0.0005f, MomentumConvention::Caffe});
  int first_epoch = 0;
  if (!checkpoint_path.empty() && std::filesystem::exists(checkpoint_path)) {
    const Checkpoint state = load_checkpoint(checkpoint_path);
    restore_training_state(state, model, &sgd);
    first_epoch = std::stoi(state.metadata.at("epochs_done"));
    std::printf("resumed from %s after epoch %d\n", checkpoint_path.c_str(), first_epoch);
  }

  std::printf("\n%5s %11s %10s %9s %9s %8s\n", "epoch", "train loss", "val loss", "val acc", "test acc", "seconds");
  Rng order_rng(seed ^ 0x5eedull);
  std::vector<size_t> order = split.train;
  std::vector<float> images, labels;
  LossLog losses;
  int64_t step = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    // The shuffle of every epoch is drawn even when resuming, so a resumed run sees the same batches.
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[order_rng.below(i)]);
    if (epoch < first_epoch) {
      step += static_cast<int64_t>((order.size() + batch - 1) / batch);
      continue;
    }
    const auto start_time = std::chrono::steady_clock::now();
    for (size_t start = 0; start < order.size(); start += batch, ++step) {
      const size_t count = std::min(batch, order.size() - start);
      ds::make_batch(set, std::span(order).subspan(start, count), batch_options, images, labels);
      const auto n = static_cast<int64_t>(count);
      Tensor loss = cross_entropy(model(Tensor::from_host({n, 1, 32, 32}, images)), Tensor::from_host({n}, labels));
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      losses.record(loss, step);
    }
    double train_loss = 0;
    const auto epoch_losses = losses.drain();
    for (const auto& [s, value] : epoch_losses) train_loss += value;
    train_loss /= double(std::max<size_t>(epoch_losses.size(), 1));
    const Evaluation val = evaluate(model, set, split.val, batch_options, batch);
    const Evaluation test = evaluate(model, set, split.test, batch_options, batch);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    std::printf("%5d %11.4f %10.4f %8.2f%% %8.2f%% %8.1f\n", epoch + 1, train_loss, val.loss, val.accuracy,
                test.accuracy, seconds);
    std::fflush(stdout);
    if (!checkpoint_path.empty()) {
      Checkpoint state = capture_training_state(model, &sgd);
      state.metadata["epochs_done"] = std::to_string(epoch + 1);
      state.metadata["model"] = "LeNet";
      save_checkpoint(checkpoint_path, state);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const medrepro::ContextScope device_scope;
  try {
    if (argc < 2) {
      std::fprintf(stderr, "%s\n", kUsage);
      return 2;
    }
    const std::string command = argv[1];
    Args args(argc - 1, argv + 1, kUsage);
    if (command == "devices") {
      args.finish();
      for (const auto& info : list_devices()) std::printf("%s\n", describe(info).c_str());
      return 0;
    }
    if (command == "demo") return demo(args);
    std::fprintf(stderr, "unknown command '%s'\n%s\n", command.c_str(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
