// Compares two run.json files number for number, for the tests that say a
// result did not change: after a refactoring (a saved copy), or between a sweep
// performed in one go and the same sweep in shards merged by --report-only.
// Left out: what no rerun repeats (durations: keys ending in "seconds"; the
// invocation's metadata: "run", "made_by", and each run's "metadata" with its
// command line, commit, host, shard and start time; whether a run "resumed")
// and where the data set lies ("source").
//
// usage: compare_runs EXPECTED ACTUAL [--subset] [--same-device-or-skip]
//   --subset               ACTUAL may hold keys that EXPECTED lacks (a format that grew)
//   --same-device-or-skip  exit 77 (a ctest skip) when the two ran on different
//                          devices or drivers: bit-identical results are only promised
//                          on the same device
#include <cstdio>
#include <string>

#include "papers/common/json.h"

using medrepro::report::Json;

namespace {

bool ignored(const std::string& key) {
  const std::string suffix = "seconds";
  return key == "run" || key == "made_by" || key == "resumed" || key == "source" || key == "metadata" ||
         (key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0);
}

bool same(const Json& expected, const Json& actual, const std::string& path, bool subset) {
  auto differ = [&](const std::string& why) {
    std::printf("differs at %s: %s\n", path.empty() ? "/" : path.c_str(), why.c_str());
    return false;
  };
  if (expected.is_object()) {
    if (!actual.is_object()) return differ("an object against " + actual.dump(0));
    for (const auto& [key, value] : expected.object()) {
      if (ignored(key)) continue;
      if (!actual.contains(key)) return differ("'" + key + "' is missing");
      if (!same(value, actual[key], path + "/" + key, subset)) return false;
    }
    if (!subset) {
      for (const auto& [key, value] : actual.object()) {
        if (!ignored(key) && !expected.contains(key)) return differ("'" + key + "' is new");
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.array().size() != expected.array().size()) {
      return differ("arrays of different lengths");
    }
    for (size_t i = 0; i < expected.array().size(); ++i) {
      if (!same(expected.array()[i], actual.array()[i], path + "/" + std::to_string(i), subset)) return false;
    }
    return true;
  }
  // Numbers are written in their shortest round-trip form: equal text, equal bits.
  if (expected.dump(0) != actual.dump(0)) return differ(expected.dump(0) + " against " + actual.dump(0));
  return true;
}

std::string device_of(const Json& run_json) {
  const Json& device = run_json["run"]["device"];
  return device["name"].string() + ", " + device["driver"].string();
}

}  // namespace

int main(int argc, char** argv) {
  bool subset = false, same_device_or_skip = false;
  std::string files[2];
  int file_count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--subset") subset = true;
    else if (arg == "--same-device-or-skip") same_device_or_skip = true;
    else if (file_count < 2) files[file_count++] = arg;
    else file_count = 3;
  }
  if (file_count != 2) {
    std::fprintf(stderr, "usage: compare_runs EXPECTED ACTUAL [--subset] [--same-device-or-skip]\n");
    return 2;
  }
  try {
    const Json expected = Json::load(files[0]), actual = Json::load(files[1]);
    if (same_device_or_skip && device_of(expected) != device_of(actual)) {
      std::printf("skipped: %s ran on %s, %s on %s\n", files[0].c_str(), device_of(expected).c_str(),
                  files[1].c_str(), device_of(actual).c_str());
      return 77;
    }
    if (!same(expected, actual, "", subset)) return 1;
    std::printf("same numbers: %s and %s\n", files[0].c_str(), files[1].c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
