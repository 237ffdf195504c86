#include "datasets/mrnet.h"

#include <cstdio>
#include <fstream>
#include <set>

#include "core/error.h"
#include "datasets/npy.h"
#include "datasets/sha256.h"

namespace medrepro::datasets {
namespace {

constexpr const char* kWhere =
    "MRNet is not redistributable: request it at https://stanfordmlgroup.github.io/competitions/mrnet/ and point "
    "the program at the folder holding train/, valid/ and the six CSV files";

struct CsvRow {
  int id;
  int label;
  size_t line;
};

std::vector<CsvRow> read_labels(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("MRNet: cannot open " + path.string() + ". " + kWhere);
  std::vector<CsvRow> rows;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto bad = [&](const std::string& what) {
      fail(path.string() + ":" + std::to_string(number) + ": " + what + " in '" + line.substr(0, 80) +
           "' (expected 'NNNN,label' with label 0 or 1)");
    };
    const size_t comma = line.find(',');
    if (comma == std::string::npos || comma == 0 || comma > 9) bad("no exam number");
    int id = 0;
    for (size_t i = 0; i < comma; ++i) {
      if (line[i] < '0' || line[i] > '9') bad("the exam number is not a number");
      id = id * 10 + (line[i] - '0');
    }
    const std::string label = line.substr(comma + 1);
    if (label != "0" && label != "1") bad("bad label '" + label + "'");
    rows.push_back({id, label == "1" ? 1 : 0, number});
  }
  if (in.bad()) fail(path.string() + ": read error");
  if (rows.empty()) fail("MRNet: " + path.string() + " lists no exams");
  return rows;
}

std::string exam_file(int id) {
  char name[32];
  std::snprintf(name, sizeof name, "%04d.npy", id);
  return name;
}

}  // namespace

const char* mrnet_plane_name(MrnetPlane plane) {
  switch (plane) {
    case MrnetPlane::axial: return "axial";
    case MrnetPlane::coronal: return "coronal";
    case MrnetPlane::sagittal: return "sagittal";
  }
  return "?";
}

MrnetSplit load_mrnet_index(const std::filesystem::path& root, const std::string& split, const MrnetOptions& options) {
  if (split != "train" && split != "valid") fail("MRNet: split must be 'train' or 'valid', not '" + split + "'");
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) fail("MRNet: " + root.string() + " is not a folder. " + kWhere);
  MrnetSplit result;
  result.split = split;
  result.root = root;
  const char* tasks[3] = {"abnormal", "acl", "meniscus"};
  std::array<std::vector<CsvRow>, 3> tables;
  std::array<std::filesystem::path, 3> csvs;
  Sha256 manifest;
  for (size_t t = 0; t < 3; ++t) {
    csvs[t] = root / (split + "-" + tasks[t] + ".csv");
    if (!std::filesystem::is_regular_file(csvs[t], ec)) {
      fail("MRNet: " + csvs[t].string() + " not found (the official layout has " + split + "-abnormal.csv, " + split +
           "-acl.csv and " + split + "-meniscus.csv beside " + split + "/). " + kWhere);
    }
    tables[t] = read_labels(csvs[t]);
    manifest.update(sha256_file_hex(csvs[t]) + "  " + csvs[t].filename().string() + "\n");
  }
  result.labels_sha256 = manifest.finish_hex();
  for (size_t t = 1; t < 3; ++t) {
    const size_t common = std::min(tables[0].size(), tables[t].size());
    for (size_t i = 0; i < common; ++i) {
      if (tables[t][i].id != tables[0][i].id) {
        fail("MRNet: " + csvs[t].string() + ":" + std::to_string(tables[t][i].line) + " names exam " +
             exam_file(tables[t][i].id).substr(0, 4) + " where " + csvs[0].string() + ":" +
             std::to_string(tables[0][i].line) + " names exam " + exam_file(tables[0][i].id).substr(0, 4) +
             ": the CSVs must list the same exams in the same order");
      }
    }
    if (tables[t].size() != tables[0].size()) {
      fail("MRNet: " + csvs[t].string() + " lists " + std::to_string(tables[t].size()) + " exams but " +
           csvs[0].string() + " lists " + std::to_string(tables[0].size()));
    }
  }
  std::set<int> seen;
  for (size_t i = 0; i < tables[0].size(); ++i) {
    MrnetExam exam;
    exam.id = tables[0][i].id;
    exam.abnormal = tables[0][i].label;
    exam.acl = tables[1][i].label;
    exam.meniscus = tables[2][i].label;
    for (size_t p = 0; p < 3; ++p) {
      exam.files[p] = root / split / mrnet_plane_name(MrnetPlane(p)) / exam_file(exam.id);
      if (options.check_files && !std::filesystem::is_regular_file(exam.files[p], ec)) {
        fail("MRNet: " + csvs[0].string() + ":" + std::to_string(tables[0][i].line) + " names exam " +
             exam_file(exam.id).substr(0, 4) + ", but its file " + exam.files[p].string() + " is missing");
      }
    }
    result.positives[0] += size_t(exam.abnormal);
    result.positives[1] += size_t(exam.acl);
    result.positives[2] += size_t(exam.meniscus);
    if (!seen.insert(exam.id).second) {
      fail("MRNet: " + csvs[0].string() + ":" + std::to_string(tables[0][i].line) + " lists exam " +
           exam_file(exam.id).substr(0, 4) + " twice");
    }
    result.exams.push_back(std::move(exam));
  }
  return result;
}

Grid<uint8_t> load_mrnet_volume(const MrnetExam& exam, MrnetPlane plane) {
  const std::filesystem::path& path = exam.files[size_t(plane)];
  NpyArray array = read_npy(path);
  if (array.dtype != DType::uint8 || array.shape.size() != 3 || array.count() == 0) {
    fail("MRNet: " + path.string() + " holds a " + dtype_name(array.dtype) + " array of shape " + array.shape_text() +
         "; expected uint8 (slices, 256, 256)");
  }
  if (array.shape[0] > 4096 || array.shape[1] > 4096 || array.shape[2] > 4096) {
    fail("MRNet: " + path.string() + ": implausible shape " + array.shape_text());
  }
  Grid<uint8_t> volume;
  volume.depth = static_cast<int>(array.shape[0]);
  volume.height = static_cast<int>(array.shape[1]);
  volume.width = static_cast<int>(array.shape[2]);
  volume.data = std::move(array.bytes);
  return volume;
}

}  // namespace medrepro::datasets
