#include "tests/bench/row.h"

namespace medrepro::bench {

const char* unit_name(Unit unit) {
  switch (unit) {
    case Unit::GflopPerSecond: return "GFLOP/s";
    case Unit::GbPerSecond: return "GB/s";
    case Unit::ImagesPerSecond: return "img/s";
  }
  return "";
}

double Result::rate_at(double ms) const {
  if (ms <= 0) return 0;
  const double per_second = row.work / (ms * 1e-3);
  return row.unit == Unit::ImagesPerSecond ? per_second : per_second * 1e-9;
}

std::optional<double> Result::peer_rate(size_t peer) const {
  if (peer >= peers.size() || !peers[peer]) return std::nullopt;
  return rate_at(peers[peer]->time.median);
}

std::optional<double> Result::ratio(size_t peer) const {
  const std::optional<double> theirs = peer_rate(peer);
  if (!error.empty() || !theirs || *theirs <= 0) return std::nullopt;
  return our_rate() / *theirs;
}

const Result* find_result(const std::vector<Result>& results, const std::string& name) {
  for (const Result& r : results) {
    if (r.row.name == name && r.error.empty()) return &r;
  }
  return nullptr;
}

std::optional<double> rate_of(const std::vector<Result>& results, const std::string& name) {
  const Result* r = find_result(results, name);
  return r ? std::optional<double>(r->our_rate()) : std::nullopt;
}

}  // namespace medrepro::bench
