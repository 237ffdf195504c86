#pragma once
// The timing harness: each row is timed over several samples after a warm-up
// (which also builds the pipelines), within a per-row sample count and time
// budget. A sample records the work `reps` times and waits for the device
// once, so short kernels are not dominated by the submit-and-wait cost.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace medrepro::bench {

struct Budget {
  int samples = 7;       // at most this many timed samples...
  int min_samples = 3;   // ...and at least this many, whatever the time
  double seconds = 8;    // stop sampling once a row has taken this long (warm-up included)
  double sample_ms = 40; // repeat short work within a sample until it lasts about this long
  int max_reps = 64;
};

// What one row measures: prepare(reps) does untimed set-up for a sample (and
// may record device work, which is finished before the clock starts); run(i)
// records repetition i.
struct Work {
  std::function<void(int reps)> prepare = [](int) {};
  std::function<void(int i)> run;
  int max_reps = 1 << 20;  // e.g. to bound the memory that prepare holds; 1 for training steps
  // After the timing, anything the reader should know about how the work ran (empty: nothing).
  std::function<std::string()> note;
  // Training steps: the model's forward FLOPs per image (convolutions and fully
  // connected layers, 2 per multiply-add, as in the papers' model summaries).
  double forward_flops_per_image = 0;
};

struct Spread {
  double median = 0, min = 0, max = 0;
  double relative() const { return median > 0 ? (max - min) / median : 0; }
};

// Per repetition, in milliseconds.
struct Timing {
  Spread wall;                  // host wall clock around recording + Stream::synchronize
  std::optional<Spread> device; // timestamp queries around the recorded work, where supported
  double cpu_ms = 0;            // median process CPU time (all driver threads)
  int samples = 0, reps = 0;
  // Device time where measured, else wall time.
  const Spread& primary() const { return device ? *device : wall; }
};

// device_timing: also take timestamps (ignored where the device has none).
Timing measure(Work work, const Budget& budget, bool device_timing);

// One more repetition with a timestamp after every command (core/profiler.h):
// each kernel's share of the device time, largest first. Empty where the device
// has no timestamps or MEDREPRO_PROFILE already profiles the whole run.
std::vector<std::pair<std::string, double>> kernel_shares(Work& work);

}  // namespace medrepro::bench
