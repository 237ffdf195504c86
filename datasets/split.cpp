#include "datasets/split.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <unordered_map>

#include "core/error.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t bound) {
  if (bound == 0) fail("SplitMix64::below: the bound must be positive");
  const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound: values below it would bias the result
  for (;;) {
    const uint64_t value = next();
    if (value >= threshold) return value % bound;
  }
}

double SplitMix64::uniform() { return double(next() >> 11) * 0x1.0p-53; }

void shuffle(std::span<size_t> items, SplitMix64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.below(i));
    std::swap(items[i - 1], items[j]);
  }
}

std::vector<std::vector<size_t>> find_duplicate_groups(std::span<const uint64_t> hashes) {
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  by_hash.reserve(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) by_hash[hashes[i]].push_back(i);
  std::vector<std::vector<size_t>> groups;
  for (auto& [hash, items] : by_hash) {
    if (items.size() > 1) groups.push_back(std::move(items));
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return groups;
}

std::vector<uint64_t> pixel_hashes(const ImageSet& set) {
  std::vector<uint64_t> hashes(set.size());
  for (size_t i = 0; i < set.size(); ++i) hashes[i] = digest_prefix64(sha256(set.image(i), set.image_bytes()));
  return hashes;
}

Split stratified_split(std::span<const int> labels, const std::vector<std::vector<size_t>>& duplicate_groups,
                       const SplitOptions& options) {
  const size_t n = labels.size();
  if (!(options.val_fraction >= 0.0 && options.val_fraction <= 1.0)) {
    fail("stratified_split: val_fraction must be in [0, 1], got " + std::to_string(options.val_fraction));
  }
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] < 0) fail("stratified_split: label of item " + std::to_string(i) + " is negative");
  }
  // Each item's unit: the lowest index of its duplicate group, or itself.
  std::vector<size_t> representative(n);
  for (size_t i = 0; i < n; ++i) representative[i] = i;
  std::vector<bool> grouped(n, false);
  for (const std::vector<size_t>& group : duplicate_groups) {
    if (group.empty()) continue;
    const size_t lowest = *std::min_element(group.begin(), group.end());
    for (size_t index : group) {
      if (index >= n) {
        fail("stratified_split: duplicate group holds index " + std::to_string(index) + ", but there are only " +
             std::to_string(n) + " items");
      }
      if (grouped[index]) fail("stratified_split: index " + std::to_string(index) + " is in two duplicate groups");
      grouped[index] = true;
      if (labels[index] != labels[lowest]) {
        fail("stratified_split: items " + std::to_string(lowest) + " and " + std::to_string(index) +
             " are duplicates but have different labels (" + std::to_string(labels[lowest]) + ", " +
             std::to_string(labels[index]) + "); remove or relabel them first");
      }
      representative[index] = lowest;
    }
  }
  // Units per class, each unit's members in increasing order, units in order of their lowest index.
  std::map<int, std::vector<size_t>> class_units;  // label -> representatives
  std::vector<std::vector<size_t>> members(n);
  for (size_t i = 0; i < n; ++i) {
    if (representative[i] == i) class_units[labels[i]].push_back(i);
    members[representative[i]].push_back(i);
  }

  Split split;
  split.seed = options.seed;
  split.test_per_class = options.test_per_class;
  split.val_fraction = options.val_fraction;
  split.deduplicate = options.deduplicate;
  split.item_count = n;
  SplitMix64 rng(options.seed);
  const auto unit_size = [&](size_t unit) { return options.deduplicate ? size_t(1) : members[unit].size(); };
  const auto emit = [&](size_t unit, std::vector<size_t>& part) {
    if (options.deduplicate) {
      part.push_back(unit);
      split.dropped_duplicates += members[unit].size() - 1;
    } else {
      part.insert(part.end(), members[unit].begin(), members[unit].end());
    }
  };
  for (auto& [label, units] : class_units) {
    shuffle(units, rng);
    std::vector<bool> used(units.size(), false);
    // Takes units in shuffled order until exactly `want` items, skipping units that would overshoot.
    const auto take = [&](size_t want, std::vector<size_t>& part, const char* part_name) {
      for (size_t u = 0; u < units.size() && want > 0; ++u) {
        if (used[u] || unit_size(units[u]) > want) continue;
        used[u] = true;
        want -= unit_size(units[u]);
        emit(units[u], part);
      }
      if (want > 0) {
        size_t available = 0;
        for (size_t unit : units) available += unit_size(unit);
        fail("stratified_split: class " + std::to_string(label) + " has " + std::to_string(available) + " items" +
             (options.deduplicate ? " after deduplication" : "") + ", too few to take exactly the " + part_name +
             " items asked for (" + std::to_string(want) + " missing)");
      }
    };
    take(options.test_per_class, split.test, "test");
    size_t rest = 0;
    for (size_t u = 0; u < units.size(); ++u) rest += used[u] ? 0 : unit_size(units[u]);
    take(static_cast<size_t>(std::llround(options.val_fraction * double(rest))), split.val, "validation");
    for (size_t u = 0; u < units.size(); ++u) {
      if (!used[u]) emit(units[u], split.train);
    }
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.val.begin(), split.val.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

void check_split(const Split& split, size_t item_count, const std::string& tag) {
  if (split.item_count != item_count) {
    fail("split made for " + std::to_string(split.item_count) + " items used with a data set of " +
         std::to_string(item_count));
  }
  if (!tag.empty() && split.tag != tag) fail("split tag '" + split.tag + "' does not match '" + tag + "'");
  std::vector<char> part_of(item_count, 0);
  const auto mark = [&](const std::vector<size_t>& part, char name) {
    for (size_t index : part) {
      if (index >= item_count) {
        fail("split index " + std::to_string(index) + " out of range for " + std::to_string(item_count) + " items");
      }
      if (part_of[index] != 0) {
        fail(std::string("split index ") + std::to_string(index) + " is in two parts (" + part_of[index] + ", " +
             name + ")");
      }
      part_of[index] = name;
    }
  };
  mark(split.train, 'T');
  mark(split.val, 'V');
  mark(split.test, 'E');
}

void save_split(const std::filesystem::path& path, const Split& split) {
  if (split.tag.find('\n') != std::string::npos) fail("save_split: the tag must be one line");
  std::ofstream out(path);
  if (!out) fail(path.string() + ": cannot open for writing");
  char fraction[32];
  std::snprintf(fraction, sizeof fraction, "%.17g", split.val_fraction);
  out << "medrepro-split 1\n"
      << "tag " << split.tag << "\n"
      << "items " << split.item_count << "\n"
      << "seed " << split.seed << "\n"
      << "test_per_class " << split.test_per_class << "\n"
      << "val_fraction " << fraction << "\n"
      << "deduplicate " << (split.deduplicate ? 1 : 0) << "\n"
      << "dropped_duplicates " << split.dropped_duplicates << "\n";
  for (const auto& [name, part] : {std::pair<const char*, const std::vector<size_t>*>{"train", &split.train},
                                   {"val", &split.val},
                                   {"test", &split.test}}) {
    out << name << " " << part->size() << "\n";
    for (size_t index : *part) out << index << "\n";
  }
  out << "end\n";
  out.close();
  if (!out) fail(path.string() + ": write error");
}

Split load_split(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) fail(path.string() + ": cannot open split file");
  size_t line_number = 0;
  std::string line;
  const auto bad = [&](const std::string& what) {
    fail(path.string() + ":" + std::to_string(line_number) + ": " + what);
  };
  const auto next_line = [&]() -> const std::string& {
    if (!std::getline(in, line)) bad("unexpected end of the split file");
    ++line_number;
    return line;
  };
  const auto number = [&](const std::string& text) -> uint64_t {
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) bad("expected a number, got '" + text + "'");
    return value;
  };
  const auto field = [&](const std::string& key) -> std::string {
    const std::string& text = next_line();
    if (text.compare(0, key.size() + 1, key + " ") != 0 && text != key) bad("expected '" + key + " ...'");
    return text.size() > key.size() ? text.substr(key.size() + 1) : std::string();
  };
  if (next_line() != "medrepro-split 1") bad("not a medrepro split file (version 1)");
  Split split;
  split.tag = field("tag");
  split.item_count = number(field("items"));
  split.seed = number(field("seed"));
  split.test_per_class = number(field("test_per_class"));
  const std::string fraction = field("val_fraction");
  char* end = nullptr;
  split.val_fraction = std::strtod(fraction.c_str(), &end);
  if (fraction.empty() || *end != '\0') bad("bad val_fraction '" + fraction + "'");
  split.deduplicate = number(field("deduplicate")) != 0;
  split.dropped_duplicates = number(field("dropped_duplicates"));
  for (auto [name, part] : {std::pair<const char*, std::vector<size_t>*>{"train", &split.train},
                            {"val", &split.val},
                            {"test", &split.test}}) {
    const uint64_t count = number(field(name));
    if (count > split.item_count) bad(std::string(name) + " has more items than the data set");
    part->reserve(count);
    for (uint64_t i = 0; i < count; ++i) part->push_back(number(next_line()));
  }
  if (next_line() != "end") bad("expected 'end'");
  check_split(split, split.item_count);
  return split;
}

}  // namespace medrepro::datasets
