// The background batch loader: deterministic batches whatever the thread count
// and timing, bounded prefetch, exceptions delivered to the consumer in order,
// clean shutdown mid-epoch; and a real pipeline (AdrenalMNIST3D volumes
// resampled to 24 slices with Wong-style augmentation) when the shared data is present.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "datasets/augment.h"
#include "datasets/loader.h"
#include "datasets/medmnist.h"
#include "datasets/transforms.h"

namespace ds = medrepro::datasets;
namespace fs = std::filesystem;

namespace {

std::vector<size_t> range(size_t first, size_t count) {
  std::vector<size_t> items(count);
  for (size_t i = 0; i < count; ++i) items[i] = first + i;
  return items;
}

// Input: [item, three draws of its stream]; target: [item * 2]. Sleeps a
// pseudo-random time (from a separate, timing-only generator) to shuffle thread timing.
ds::LoadItem recording_item(std::atomic<uint64_t>* jitter_state, int max_sleep_us) {
  return [jitter_state, max_sleep_us](size_t item, ds::SplitMix64& rng, std::span<float> input, std::span<float> target) {
    if (max_sleep_us > 0) {
      ds::SplitMix64 jitter(jitter_state->fetch_add(1));
      std::this_thread::sleep_for(std::chrono::microseconds(jitter.below(uint64_t(max_sleep_us))));
    }
    input[0] = float(item);
    for (size_t k = 1; k < input.size(); ++k) input[k] = static_cast<float>(rng.uniform());
    target[0] = float(item * 2);
  };
}

std::vector<ds::Batch> whole_epoch(ds::BatchLoader& loader, uint64_t epoch) {
  loader.start(epoch);
  std::vector<ds::Batch> batches;
  while (std::optional<ds::Batch> batch = loader.next()) batches.push_back(std::move(*batch));
  return batches;
}

}  // namespace

TEST_CASE("batches are identical whatever the thread count and timing; every item once per epoch") {
  ds::LoaderOptions options;
  options.batch_size = 7;
  options.input_size = 4;
  options.target_size = 1;
  options.seed = 123;
  std::atomic<uint64_t> jitter{1};
  const std::vector<size_t> items = range(100, 50);
  ds::BatchLoader single(items, options, recording_item(&jitter, 0));
  const std::vector<ds::Batch> reference = whole_epoch(single, 3);
  REQUIRE(reference.size() == 8);  // 50 items in batches of 7, the last one of 1
  CHECK(reference.back().size() == 1);
  std::multiset<size_t> seen;
  for (size_t b = 0; b < reference.size(); ++b) {
    CHECK(reference[b].index == b);
    CHECK(reference[b].epoch == 3);
    for (size_t k = 0; k < reference[b].size(); ++k) {
      seen.insert(reference[b].items[k]);
      CHECK(reference[b].inputs[k * 4] == float(reference[b].items[k]));
      CHECK(reference[b].targets[k] == float(reference[b].items[k] * 2));
    }
  }
  CHECK(seen == std::multiset<size_t>(items.begin(), items.end()));
  std::vector<size_t> order;
  for (const ds::Batch& batch : reference) order.insert(order.end(), batch.items.begin(), batch.items.end());
  CHECK(order == single.epoch_order(3));
  CHECK(order != items);  // shuffled

  for (size_t threads : {2u, 3u, 5u}) {
    for (size_t prefetch : {1u, 2u, 4u}) {
      CAPTURE(threads);
      CAPTURE(prefetch);
      ds::LoaderOptions other = options;
      other.threads = threads;
      other.prefetch = prefetch;
      ds::BatchLoader loader(items, other, recording_item(&jitter, 300));
      const std::vector<ds::Batch> batches = whole_epoch(loader, 3);
      REQUIRE(batches.size() == reference.size());
      for (size_t b = 0; b < batches.size(); ++b) {
        CHECK(batches[b].items == reference[b].items);
        CHECK(batches[b].inputs == reference[b].inputs);  // including each item's augmentation draws
        CHECK(batches[b].targets == reference[b].targets);
      }
    }
  }
  // Another epoch: another order and other draws; the same epoch again: the same batches.
  const std::vector<ds::Batch> next_epoch = whole_epoch(single, 4);
  CHECK(next_epoch[0].items != reference[0].items);
  CHECK(whole_epoch(single, 3)[5].inputs == reference[5].inputs);
  // An item's draws depend on (seed, epoch, item) only, not on its position.
  CHECK(ds::BatchLoader::item_seed(123, 3, 110) != ds::BatchLoader::item_seed(123, 4, 110));
  CHECK(ds::BatchLoader::item_seed(123, 3, 110) != ds::BatchLoader::item_seed(124, 3, 110));
  // No shuffling, drop_last.
  ds::LoaderOptions plain = options;
  plain.shuffle = false;
  plain.drop_last = true;
  ds::BatchLoader ordered(items, plain, recording_item(&jitter, 0));
  const std::vector<ds::Batch> in_order = whole_epoch(ordered, 0);
  CHECK(in_order.size() == 7);
  CHECK(ordered.batches_per_epoch() == 7);
  CHECK(in_order[0].items == range(100, 7));
  CHECK(in_order[6].items == range(142, 7));
}

TEST_CASE("prefetch bounds the batches prepared ahead of the consumer") {
  for (size_t prefetch : {1u, 2u, 3u}) {
    CAPTURE(prefetch);
    ds::LoaderOptions options;
    options.batch_size = 4;
    options.input_size = 1;
    options.shuffle = false;
    options.prefetch = prefetch;
    options.threads = 3;
    std::atomic<size_t> received{0};
    std::atomic<size_t> furthest{0};
    std::atomic<bool> violated{false};
    ds::BatchLoader loader(range(0, 64), options, [&](size_t item, ds::SplitMix64&, std::span<float> input, std::span<float>) {
      const size_t batch = item / 4;
      // A worker may work on batch b only while b < (batches handed out) + prefetch.
      if (batch > received.load() + prefetch) violated = true;
      size_t seen = furthest.load();
      while (batch > seen && !furthest.compare_exchange_weak(seen, batch)) {
      }
      input[0] = float(item);
    });
    loader.start(0);
    // A slow consumer: the workers must wait for it.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    CHECK(furthest.load() <= prefetch - 1);
    size_t count = 0;
    while (std::optional<ds::Batch> batch = loader.next()) {
      received.fetch_add(1);
      ++count;
      if (count % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(count == 16);
    CHECK_FALSE(violated.load());
  }
}

TEST_CASE("an exception while preparing a batch reaches the consumer in order; the loader can restart") {
  ds::LoaderOptions options;
  options.batch_size = 5;
  options.input_size = 1;
  options.shuffle = false;
  options.threads = 3;
  options.prefetch = 3;
  std::atomic<bool> broken{true};
  ds::BatchLoader loader(range(0, 40), options, [&](size_t item, ds::SplitMix64&, std::span<float> input, std::span<float>) {
    if (broken && item == 23) throw medrepro::Error("cannot decode item 23 (damaged file x.jpeg)");
    if (broken && item == 36) throw std::runtime_error("a later failure that must not be reported first");
    input[0] = float(item);
  });
  loader.start(0);
  size_t delivered = 0;
  std::string message;
  try {
    while (std::optional<ds::Batch> batch = loader.next()) {
      CHECK(batch->index == delivered);
      ++delivered;
    }
  } catch (const medrepro::Error& e) {
    message = e.what();
  }
  CHECK(delivered == 4);  // batches 0-3; batch 4 holds item 23
  CHECK(message == "cannot decode item 23 (damaged file x.jpeg)");
  CHECK_FALSE(loader.next().has_value());  // the epoch ended with the error
  broken = false;
  CHECK(whole_epoch(loader, 1).size() == 8);
  // next() before start() is an error; bad options too.
  ds::BatchLoader idle(range(0, 3), options, [](size_t, ds::SplitMix64&, std::span<float>, std::span<float>) {});
  CHECK_THROWS_AS(idle.next(), medrepro::Error);
  ds::LoaderOptions zero = options;
  zero.batch_size = 0;
  CHECK_THROWS_AS(ds::BatchLoader(range(0, 3), zero, [](size_t, ds::SplitMix64&, std::span<float>, std::span<float>) {}),
                  medrepro::Error);
}

TEST_CASE("shutdown mid-epoch joins the threads promptly") {
  ds::LoaderOptions options;
  options.batch_size = 2;
  options.input_size = 1;
  options.threads = 4;
  options.prefetch = 2;
  std::atomic<size_t> calls{0};
  const auto slow = [&](size_t, ds::SplitMix64&, std::span<float>, std::span<float>) {
    calls.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 5; ++round) {
    ds::BatchLoader loader(range(0, 1000), options, slow);
    loader.start(0);
    CHECK(loader.next().has_value());
    if (round % 2 == 0) loader.start(1);  // restarting abandons the epoch in progress
    CHECK(loader.next().has_value());
  }  // destroyed with workers blocked on a full queue or in an item
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 2.0);
  CHECK(calls.load() < 200);  // nowhere near the 1000 items of an epoch
  // Empty item list: no batches.
  ds::BatchLoader empty(std::vector<size_t>{}, options, slow);
  CHECK(whole_epoch(empty, 0).empty());
}

TEST_CASE("image sets through the loader: resize, augmentation, normalisation, channel replication") {
  ds::ImageSet set;
  set.height = 4;
  set.width = 4;
  for (int i = 0; i < 6; ++i) {
    for (int p = 0; p < 16; ++p) set.pixels.push_back(static_cast<uint8_t>(i * 40 + p));
    set.labels.push_back(i % 3);
  }
  ds::ImageItemOptions item;
  item.batch.mean = 0.5f;
  item.batch.std = 0.25f;
  item.channels = 3;
  ds::LoaderOptions options;
  options.batch_size = 4;
  options.input_size = item.input_size(set);
  options.shuffle = false;
  CHECK(options.input_size == 48);
  ds::BatchLoader loader(range(0, 6), options, ds::image_set_items(set, item));
  const std::vector<ds::Batch> batches = whole_epoch(loader, 0);
  REQUIRE(batches.size() == 2);
  CHECK(batches[1].targets == std::vector<float>{1.0f, 2.0f});
  const float first = (float(4 * 40 + 0) / 255.0f - 0.5f) / 0.25f;
  CHECK(batches[1].inputs[0] == doctest::Approx(first));
  CHECK(batches[1].inputs[16] == batches[1].inputs[0]);  // channel copies
  CHECK(batches[1].inputs[32 + 5] == batches[1].inputs[5]);
  // With augmentation: a certain left-right flip.
  item.augment = true;
  item.augmentation.flip_x = 1.0;
  item.channels = 1;
  options.input_size = item.input_size(set);
  ds::BatchLoader flipped(range(0, 6), options, ds::image_set_items(set, item));
  const std::vector<ds::Batch> mirrored = whole_epoch(flipped, 0);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      CHECK(mirrored[0].inputs[size_t(y * 4 + x)] == doctest::Approx((float(y * 4 + 3 - x) / 255.0f - 0.5f) / 0.25f));
    }
  }
  // Resized to 8x8.
  item.augment = false;
  item.batch.height = item.batch.width = 8;
  options.input_size = item.input_size(set);
  ds::BatchLoader resized(range(0, 6), options, ds::image_set_items(set, item));
  CHECK(whole_epoch(resized, 0)[0].inputs.size() == 4 * 64);
}

TEST_CASE("real AdrenalMNIST3D through the loader: 24 slices (Pereira), augmentation with p = 0.6 (Wong)") {
  const char* shared = std::getenv("MEDREPRO_SHARED");
  const fs::path path = fs::path(shared != nullptr ? shared : "../shared") / "datasets" / "adrenalmnist3d.npz";
  if (!fs::exists(path)) {
    MESSAGE("skipped: " << path.string() << " not found (set MEDREPRO_SHARED to the shared folder)");
    return;
  }
  const ds::MedMnistSet set = ds::load_medmnist(path);
  ds::AugmentOptions augment;
  augment.one_of = 0.6;
  augment.flip_x = augment.flip_y = augment.rotate90 = 1.0;
  augment.rotation = {1.0, -10.0, 10.0};
  augment.zoom = {1.0, 0.9, 1.1};
  ds::LoaderOptions options;
  options.batch_size = 16;
  options.input_size = 24 * 28 * 28;
  options.target_size = 1;
  options.seed = 2024;
  options.threads = 2;
  std::atomic<size_t> augmented{0};
  const auto load = [&](size_t item, ds::SplitMix64& rng, std::span<float> input, std::span<float> target) {
    ds::Volume volume = ds::resample_depth(set.volume(set.train, item), 24);
    const ds::AugmentParams params = ds::sample_augment(augment, rng);
    if (params.any()) {
      augmented.fetch_add(1);
      ds::apply_augment(params, volume);
    }
    ds::normalize_min_max(volume.data);
    std::copy(volume.data.begin(), volume.data.end(), input.begin());
    target[0] = float(set.train.labels[item]);
  };
  std::vector<size_t> all(set.train.count);
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  ds::BatchLoader loader(all, options, load);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<ds::Batch> batches = whole_epoch(loader, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("one epoch of AdrenalMNIST3D train (1,188 volumes -> 24x28x28, augmented) in " << seconds << " s");
  CHECK(batches.size() == 75);  // 1,188 / 16, rounded up
  CHECK(double(augmented.load()) / 1188.0 == doctest::Approx(0.6).epsilon(0.1));
  size_t positives = 0;
  for (const ds::Batch& batch : batches) {
    for (float t : batch.targets) positives += t == 1.0f;
    CHECK(*std::max_element(batch.inputs.begin(), batch.inputs.end()) <= 1.0f);
  }
  CHECK(positives == set.class_counts(set.train)[1]);
  // Reproducible: the same seed gives the same first batch.
  ds::BatchLoader again(all, options, load);
  again.start(0);
  CHECK(again.next()->inputs == batches[0].inputs);
}
