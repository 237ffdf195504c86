#include "papers/common/run_header.h"

#include <sstream>

#include "papers/common/report_text.h"

namespace medrepro::report {

std::string render_run_header(const RunHeader& header) {
  const RunInfo& run = header.run;
  std::ostringstream md;
  md << "## The run\n\n| | |\n|---|---|\n"
     << "| command | `" << run.command << "` |\n"
     << "| commit | " << run.git_commit << " |\n"
     << "| started (UTC) | " << run.started_utc << " |\n"
     << "| device | " << run.device_name << " (" << run.device_vendor << ", " << run.device_type << "), driver "
     << run.device_driver << ", Vulkan " << run.vulkan_version << " |\n";
  for (const auto& [name, value] : header.rows) md << "| " << name << " | " << value << " |\n";
  md << "| wall time | " << fixed(header.wall_seconds, 0) << " s for this invocation"
     << (header.wall_detail.empty() ? "" : "; " + header.wall_detail) << " |\n";
  for (const Json& made : header.provenance.array()) {
    md << "| runs made by | " << made["runs"].number() << " runs: commit " << made["git_commit"].string() << ", "
       << made["device"]["name"].string() << " (driver " << made["device"]["driver"].string() << "), host "
       << made["host"].string() << " |\n";
  }
  md << "\n";
  return md.str();
}

}  // namespace medrepro::report
