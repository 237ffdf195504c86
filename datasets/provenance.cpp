#include "datasets/provenance.h"

#include <sstream>

namespace medrepro::datasets {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string DataProvenance::to_markdown() const {
  std::ostringstream out;
  out << "| data | " << escape(dataset) << " (" << (real ? "real" : "SYNTHETIC") << ") |\n|---|---|\n";
  if (!source.empty()) out << "| source | `" << escape(source) << "` |\n";
  for (const auto& [file, hash] : files) out << "| SHA-256 of `" << escape(file) << "` | `" << hash << "` |\n";
  if (!class_counts.empty()) {
    out << "| per class |";
    for (size_t i = 0; i < class_counts.size(); ++i) {
      out << (i == 0 ? " " : ", ") << escape(class_counts[i].first) << " " << class_counts[i].second;
    }
    out << " |\n";
  }
  if (!split_sizes.empty()) {
    out << "| split |";
    for (size_t i = 0; i < split_sizes.size(); ++i) {
      out << (i == 0 ? " " : ", ") << split_sizes[i].first << " " << split_sizes[i].second;
    }
    out << " |\n";
  }
  for (const std::string& note : notes) out << "| note | " << escape(note) << " |\n";
  return out.str();
}

DataProvenance provenance_of(const ImageSet& set, const Split* split) {
  DataProvenance p;
  p.dataset = set.dataset;
  p.source = set.source.string();
  if (!set.sha256.empty()) {
    p.files.emplace_back(set.source_kind == "folder" ? set.source.string() + " (manifest of its files)"
                                                     : set.source.filename().string(),
                         set.sha256);
  }
  for (size_t c = 0; c < set.class_names.size() && c < set.class_counts.size(); ++c) {
    p.class_counts.emplace_back(set.class_names[c], set.class_counts[c]);
  }
  if (split != nullptr) {
    p.split_sizes = {{"train", split->train.size()}, {"val", split->val.size()}, {"test", split->test.size()}};
    std::string note = "split seed " + std::to_string(split->seed);
    note += split->deduplicate ? ", deduplicated (" : ", duplicates kept (";
    note += std::to_string(split->dropped_duplicates);
    note += " copies left out)";
    p.notes.push_back(note);
  }
  return p;
}

DataProvenance provenance_of(const MedMnistSet& set) {
  DataProvenance p;
  p.dataset = set.dataset;
  p.source = set.source.string();
  p.files.emplace_back(set.source.filename().string(), set.sha256);
  std::vector<size_t> totals;
  for (const MedMnistPart* part : {&set.train, &set.val, &set.test}) {
    if (!part->loaded) continue;
    p.split_sizes.emplace_back(part->name, part->count);
    if (set.label_columns == 1) {
      const std::vector<size_t> counts = set.class_counts(*part);
      if (counts.size() > totals.size()) totals.resize(counts.size(), 0);
      for (size_t c = 0; c < counts.size(); ++c) totals[c] += counts[c];
    }
  }
  for (size_t c = 0; c < totals.size(); ++c) p.class_counts.emplace_back("label " + std::to_string(c), totals[c]);
  std::string shape;
  for (size_t d : set.item_shape) {
    if (!shape.empty()) shape += "x";
    shape += std::to_string(d);
  }
  p.notes.push_back("items " + shape + (set.volumetric ? " (3D)" : " (2D)") + ", official MedMNIST split");
  return p;
}

}  // namespace medrepro::datasets
