#include "datasets/loader.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/error.h"
#include "datasets/transforms.h"

namespace medrepro::datasets {

BatchLoader::BatchLoader(std::vector<size_t> items, const LoaderOptions& options, LoadItem load)
    : items_(std::move(items)), options_(options), load_(std::move(load)) {
  if (options_.batch_size == 0) fail("BatchLoader: batch_size must be positive");
  if (options_.prefetch == 0) fail("BatchLoader: prefetch must be at least 1");
  if (options_.threads == 0) fail("BatchLoader: threads must be at least 1");
  if (!load_) fail("BatchLoader: no item function");
}

BatchLoader::~BatchLoader() { stop(); }

uint64_t BatchLoader::item_seed(uint64_t seed, uint64_t epoch, size_t item) {
  // Three SplitMix64 steps mix the parts; distinct (seed, epoch, item) give unrelated streams.
  SplitMix64 a(seed);
  SplitMix64 b(a.next() ^ (epoch * 0x9e3779b97f4a7c15ull));
  SplitMix64 c(b.next() ^ (uint64_t(item) * 0xd1b54a32d192ed03ull));
  return c.next();
}

size_t BatchLoader::batches_per_epoch() const {
  const size_t n = items_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<size_t> BatchLoader::epoch_order(uint64_t epoch) const {
  std::vector<size_t> order = items_;
  if (options_.shuffle) {
    SplitMix64 rng(item_seed(options_.seed, epoch, SIZE_MAX));
    shuffle(order, rng);
  }
  return order;
}

void BatchLoader::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    abandon_ = true;
  }
  space_.notify_all();
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = false;
  abandon_ = false;
  done_.clear();
  errors_.clear();
}

void BatchLoader::start(uint64_t epoch) {
  stop();
  std::lock_guard<std::mutex> lock(mutex_);
  started_ = true;
  epoch_ = epoch;
  order_ = epoch_order(epoch);
  batch_count_ = batches_per_epoch();
  next_to_prepare_ = 0;
  next_to_deliver_ = 0;
  const size_t threads = std::min(options_.threads, std::max<size_t>(batch_count_, 1));
  for (size_t t = 0; t < threads; ++t) threads_.emplace_back([this] { worker(); });
}

bool BatchLoader::prepare(size_t batch, Batch& out) {
  const size_t first = batch * options_.batch_size;
  const size_t count = std::min(options_.batch_size, order_.size() - first);
  out.epoch = epoch_;
  out.index = batch;
  out.items.assign(order_.begin() + static_cast<std::ptrdiff_t>(first),
                   order_.begin() + static_cast<std::ptrdiff_t>(first + count));
  out.inputs.assign(count * options_.input_size, 0.0f);
  out.targets.assign(count * options_.target_size, 0.0f);
  for (size_t k = 0; k < count; ++k) {
    if (abandon_.load(std::memory_order_relaxed)) return false;  // stopping: leave the batch unfinished
    SplitMix64 rng(item_seed(options_.seed, epoch_, out.items[k]));
    load_(out.items[k], rng,
          std::span<float>(out.inputs.data() + k * options_.input_size, options_.input_size),
          std::span<float>(out.targets.data() + k * options_.target_size, options_.target_size));
  }
  return true;
}

void BatchLoader::worker() {
  for (;;) {
    size_t batch = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Claim the next batch once it is within `prefetch` of the consumer.
      space_.wait(lock, [&] {
        return stopping_ || next_to_prepare_ >= batch_count_ ||
               next_to_prepare_ < next_to_deliver_ + options_.prefetch;
      });
      if (stopping_ || next_to_prepare_ >= batch_count_) return;
      if (!errors_.empty() && errors_.begin()->first < next_to_prepare_) return;  // the epoch failed
      batch = next_to_prepare_++;
    }
    Batch out;
    std::exception_ptr error;
    try {
      if (!prepare(batch, out)) return;
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (error) {
        errors_.emplace(batch, error);
      } else {
        done_.emplace(batch, std::move(out));
      }
    }
    ready_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!started_) fail("BatchLoader::next: call start(epoch) first");
  if (next_to_deliver_ >= batch_count_) return std::nullopt;
  const size_t wanted = next_to_deliver_;
  ready_.wait(lock, [&] { return done_.count(wanted) || errors_.count(wanted) || stopping_; });
  if (const auto error = errors_.find(wanted); error != errors_.end()) {
    const std::exception_ptr rethrow = error->second;
    next_to_deliver_ = batch_count_;  // the epoch ends here
    lock.unlock();
    stop();
    std::rethrow_exception(rethrow);
  }
  if (stopping_ && !done_.count(wanted)) fail("BatchLoader::next: the loader was stopped");
  Batch batch = std::move(done_.at(wanted));
  done_.erase(wanted);
  ++next_to_deliver_;
  lock.unlock();
  space_.notify_all();
  return batch;
}

size_t ImageItemOptions::input_size(const ImageSet& set) const {
  const size_t height = size_t(batch.height > 0 ? batch.height : set.height);
  const size_t width = size_t(batch.width > 0 ? batch.width : set.width);
  return size_t(std::max(channels, 1)) * height * width;
}

LoadItem image_set_items(const ImageSet& set, const ImageItemOptions& options) {
  if (options.batch.std == 0.0f) fail("image_set_items: std must not be 0");
  if (options.channels < 1) fail("image_set_items: channels must be positive");
  const int height = options.batch.height > 0 ? options.batch.height : set.height;
  const int width = options.batch.width > 0 ? options.batch.width : set.width;
  return [&set, options, height, width](size_t item, SplitMix64& rng, std::span<float> input, std::span<float> target) {
    if (item >= set.size()) {
      fail("image_set_items: item " + std::to_string(item) + " out of range for " + std::to_string(set.size()) +
           " images");
    }
    const size_t plane = size_t(height) * size_t(width);
    if (input.size() != plane * size_t(options.channels) || target.size() != 1) {
      fail("image_set_items: the loader's input_size/target_size do not match (use ImageItemOptions::input_size)");
    }
    float* out = input.data();
    if (height == set.height && width == set.width) {
      const uint8_t* pixels = set.image(item);
      for (size_t i = 0; i < plane; ++i) out[i] = float(pixels[i]);
    } else {
      resize_bilinear(set.image(item), set.height, set.width, out, height, width);
    }
    if (options.augment) {
      const AugmentParams params = sample_augment(options.augmentation, rng);
      if (params.any()) apply_augment(params, out, 1, height, width);
    }
    const float gain = 1.0f / (255.0f * options.batch.std);
    const float offset = -options.batch.mean / options.batch.std;
    for (size_t i = 0; i < plane; ++i) out[i] = out[i] * gain + offset;
    for (int c = 1; c < options.channels; ++c) std::copy(out, out + plane, out + size_t(c) * plane);
    target[0] = float(set.labels[item]);
  };
}

}  // namespace medrepro::datasets
