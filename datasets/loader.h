#pragma once
// Batches prepared on background threads while the consumer (the training
// loop, the GPU) works on the previous one. Memory is bounded: at most
// `prefetch` finished or in-progress batches exist besides the one the
// consumer holds.
//
// Determinism: the item order of an epoch is a Fisher-Yates shuffle with
// SplitMix64 seeded from (seed, epoch); each item's augmentation stream is
// seeded from (seed, epoch, item index). Batches are handed out in order.
// So the batches of an epoch are bit-identical whatever the thread count and
// timing.
//
// Errors: an exception thrown while preparing a batch is rethrown by next() to
// the consumer when it asks for that batch (earlier batches are delivered
// first); the epoch then ends. The destructor (or start(), or stop()) stops the
// threads and joins them, waiting only for the items in progress.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "datasets/augment.h"
#include "datasets/batch.h"
#include "datasets/image.h"
#include "datasets/split.h"

namespace medrepro::datasets {

struct Batch {
  uint64_t epoch = 0;
  size_t index = 0;            // batch number within the epoch
  std::vector<size_t> items;   // item indices (into the loader's item list), in batch order
  std::vector<float> inputs;   // items.size() * input_size
  std::vector<float> targets;  // items.size() * target_size
  size_t size() const { return items.size(); }
};

struct LoaderOptions {
  size_t batch_size = 32;
  size_t input_size = 0;    // floats per item input, e.g. C * D * H * W
  size_t target_size = 1;   // floats per item target (1 for a class label, D * H * W for a label map)
  bool shuffle = true;
  bool drop_last = false;   // drop a final partial batch
  uint64_t seed = 0;
  size_t prefetch = 2;      // batches prepared ahead (>= 1)
  size_t threads = 1;       // background threads (>= 1)
};

// Fills one item's input and target. `item` is the index into the loader's item list;
// `rng` is the item's own seeded stream for augmentation. Called concurrently
// from several threads when threads > 1: it must not mutate shared state.
using LoadItem = std::function<void(size_t item, SplitMix64& rng, std::span<float> input, std::span<float> target)>;

class BatchLoader {
 public:
  // `items`: the data set indices to iterate (e.g. Split::train); load receives
  // items[k], not k.
  BatchLoader(std::vector<size_t> items, const LoaderOptions& options, LoadItem load);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Begins an epoch (stopping any epoch in progress).
  void start(uint64_t epoch);
  // The next batch of the current epoch, or nullopt at its end. Blocks until it
  // is ready; rethrows an exception from preparing it.
  std::optional<Batch> next();
  // Stops the background threads (start() restarts them).
  void stop();

  size_t batches_per_epoch() const;
  // The item order of an epoch (data set indices), as the loader uses it.
  std::vector<size_t> epoch_order(uint64_t epoch) const;
  // The seed of an item's augmentation stream.
  static uint64_t item_seed(uint64_t seed, uint64_t epoch, size_t item);

 private:
  void worker();
  bool prepare(size_t batch, Batch& out);  // false if abandoned by stop()

  std::vector<size_t> items_;
  LoaderOptions options_;
  LoadItem load_;

  std::mutex mutex_;
  std::condition_variable ready_;    // a batch finished, or an error
  std::condition_variable space_;    // the consumer took a batch, or stopping
  std::vector<std::thread> threads_;
  std::vector<size_t> order_;        // this epoch's item order
  uint64_t epoch_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::atomic<bool> abandon_{false};  // read by workers between items, without the mutex
  size_t batch_count_ = 0;
  size_t next_to_prepare_ = 0;       // claimed by workers in increasing order
  size_t next_to_deliver_ = 0;
  std::map<size_t, Batch> done_;
  std::map<size_t, std::exception_ptr> errors_;
};

// Item function for a classification ImageSet: the image resized (bilinear,
// batch.h) to options.batch.height x width, augmented with the item's stream
// (when `augment` is set), normalised as (pixel / 255 - mean) / std, replicated
// to `channels` planes; target = the label. input_size() gives the LoaderOptions value.
struct ImageItemOptions {
  BatchOptions batch;
  bool augment = false;
  AugmentOptions augmentation;
  int channels = 1;
  size_t input_size(const ImageSet& set) const;
};
LoadItem image_set_items(const ImageSet& set, const ImageItemOptions& options);

}  // namespace medrepro::datasets
