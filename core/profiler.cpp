#include "core/profiler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/device.h"
#include "core/error.h"
#include "core/timestamps.h"

namespace medrepro {

bool Profiler::requested(Keys& keys) {
  const char* value = std::getenv("MEDREPRO_PROFILE");
  if (!value || !*value || std::string_view(value) == "0") return false;
  keys = std::string_view(value) == "grid" ? Keys::KernelAndGrid : Keys::Kernel;
  return true;
}

Profiler::Profiler(Context& context, uint32_t frames, uint32_t commands_per_frame, Keys keys)
    : device_(context.device()),
      keys_(keys),
      capacity_(commands_per_frame + 1),
      period_ns_(context.limits().timestamp_period_ns),
      valid_mask_(DeviceTimer::valid_mask(context)),
      frames_(frames) {
  if (!DeviceTimer::supported(context)) {
    fail("Profiling needs timestamps, and " + context.info().name + " writes none on its compute queue");
  }
  for (Frame& frame : frames_) {
    VkQueryPoolCreateInfo create{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    create.queryType = VK_QUERY_TYPE_TIMESTAMP;
    create.queryCount = capacity_;
    vk::check(vk::vkCreateQueryPool(device_, &create, nullptr, &frame.pool), "vkCreateQueryPool");
  }
}

Profiler::~Profiler() {
  for (Frame& frame : frames_) vk::vkDestroyQueryPool(device_, frame.pool, nullptr);
}

void Profiler::begin_frame(uint32_t frame, VkCommandBuffer commands) {
  Frame& f = frames_[frame];
  f.kernels.clear();
  vk::vkCmdResetQueryPool(commands, f.pool, 0, capacity_);
  vk::vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, f.pool, 0);
}

void Profiler::after_command(uint32_t frame, VkCommandBuffer commands, const std::string& kernel) {
  Frame& f = frames_[frame];
  if (f.kernels.size() + 1 >= capacity_) return;
  f.kernels.push_back(kernel);
  vk::vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, f.pool,
                          static_cast<uint32_t>(f.kernels.size()));
}

void Profiler::collect(uint32_t frame) {
  Frame& f = frames_[frame];
  if (f.kernels.empty()) return;
  std::vector<uint64_t> ticks(f.kernels.size() + 1);
  vk::check(vk::vkGetQueryPoolResults(device_, f.pool, 0, static_cast<uint32_t>(ticks.size()),
                                      ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
                                      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
            "vkGetQueryPoolResults");
  for (size_t i = 0; i < f.kernels.size(); ++i) {
    Row& row = totals_[f.kernels[i]];
    row.kernel = f.kernels[i];
    ++row.calls;
    row.ms += double((ticks[i + 1] - ticks[i]) & valid_mask_) * period_ns_ * 1e-6;
  }
  f.kernels.clear();
}

std::vector<Profiler::Row> Profiler::rows() const {
  std::vector<Row> out;
  for (const auto& [name, row] : totals_) out.push_back(row);
  std::sort(out.begin(), out.end(), [](const Row& a, const Row& b) { return a.ms > b.ms; });
  return out;
}

std::string Profiler::table() const {
  const std::vector<Row> all = rows();
  double total = 0;
  for (const Row& row : all) total += row.ms;
  std::string out = "MEDREPRO_PROFILE: device time per kernel\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-44s %10s %12s %10s %7s\n", "kernel", "calls", "total ms", "mean us", "share");
  out += line;
  for (const Row& row : all) {
    std::snprintf(line, sizeof line, "%-44s %10llu %12.1f %10.1f %6.1f%%\n", row.kernel.c_str(),
                  static_cast<unsigned long long>(row.calls), row.ms, 1e3 * row.ms / double(row.calls),
                  total > 0 ? 100.0 * row.ms / total : 0.0);
    out += line;
  }
  std::snprintf(line, sizeof line, "%-44s %10s %12.1f\n", "total", "", total);
  return out + line;
}

}  // namespace medrepro
