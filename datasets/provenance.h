#pragma once
// What a report says about its data: which files (with SHA-256), whether the
// data was real or synthetic, counts per class, split sizes. One struct for
// every data set; report writers print to_markdown().
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "datasets/image.h"
#include "datasets/medmnist.h"
#include "datasets/split.h"

namespace medrepro::datasets {

struct DataProvenance {
  std::string dataset;   // "MedNIST", "adrenalmnist3d_64", ...
  bool real = true;      // false for data made up by the program (smoke tests, simulations)
  std::string source;    // the archive, file or folder read
  std::vector<std::pair<std::string, std::string>> files;        // (file, SHA-256)
  std::vector<std::pair<std::string, size_t>> class_counts;      // (class, items loaded)
  std::vector<std::pair<std::string, size_t>> split_sizes;       // ("train", n), ("val", n), ("test", n)
  std::vector<std::string> notes;                                // e.g. "348 duplicate groups; deduplicated"

  // A Markdown block: a table of the facts above, one row each.
  std::string to_markdown() const;
};

// From an image set (and, if given, a split of it).
DataProvenance provenance_of(const ImageSet& set, const Split* split = nullptr);
// From a MedMNIST set: its three parts, class counts summed over the loaded parts.
DataProvenance provenance_of(const MedMnistSet& set);

}  // namespace medrepro::datasets
