#include "papers/common/claims.h"

namespace medrepro::report {
namespace {

void render(const Claim& claim, int depth, std::string& out) {
  out += std::string(size_t(2 * depth), ' ') + "- ";
  out += depth == 0 ? "**" + claim.statement + "**" : claim.statement;
  if (!claim.criterion.empty()) out += " (" + claim.criterion + ")";
  out += ":";
  if (!claim.verdict.empty()) out += " " + claim.verdict;
  if (!claim.evidence.empty()) out += claim.verdict.empty() ? " " + claim.evidence : " (" + claim.evidence + ")";
  out += "\n";
  for (const Claim& part : claim.parts) render(part, depth + 1, out);
}

}  // namespace

std::string render_claims(const std::vector<Claim>& claims) {
  std::string out;
  for (const Claim& claim : claims) render(claim, 0, out);
  return out;
}

std::string render_deviations(const std::vector<Deviation>& deviations) {
  std::string out;
  for (size_t i = 0; i < deviations.size(); ++i) {
    out += std::to_string(i + 1) + ". **" + deviations[i].topic + ".** " + deviations[i].text + "\n";
  }
  return out;
}

}  // namespace medrepro::report
