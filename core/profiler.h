#pragma once
// Device time per kernel, for finding where a training step spends its time:
// with MEDREPRO_PROFILE=1 the stream writes a timestamp after every command and
// charges the time since the previous one to that command's kernel; the table
// goes to stderr when the device closes. MEDREPRO_PROFILE=grid keys it by kernel
// and workgroup grid (which tells one GEMM shape from another). A device that
// overlaps unbarriered commands blurs the split between them; lavapipe runs
// them one after another.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/vk_api.h"

namespace medrepro {

class Context;

class Profiler {
 public:
  enum class Keys { Kernel, KernelAndGrid };
  // What MEDREPRO_PROFILE asks for: nothing (unset or "0"), per kernel, or per kernel and grid ("grid").
  static bool requested(Keys& keys);

  // Fails naming the device when it writes no timestamps.
  Profiler(Context& context, uint32_t frames, uint32_t commands_per_frame, Keys keys);
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  bool by_grid() const { return keys_ == Keys::KernelAndGrid; }
  void begin_frame(uint32_t frame, VkCommandBuffer commands);
  // A command past the frame's capacity goes uncounted (the stream submits before that).
  void after_command(uint32_t frame, VkCommandBuffer commands, const std::string& kernel);
  void collect(uint32_t frame);  // once the frame's fence has signalled

  struct Row {
    std::string kernel;
    uint64_t calls = 0;
    double ms = 0;
  };
  std::vector<Row> rows() const;  // slowest first
  std::string table() const;

 private:
  struct Frame {
    VkQueryPool pool = VK_NULL_HANDLE;
    std::vector<std::string> kernels;  // the command after timestamp i + 1
  };
  VkDevice device_;
  Keys keys_;
  uint32_t capacity_;
  double period_ns_;
  uint64_t valid_mask_;
  std::vector<Frame> frames_;
  std::map<std::string, Row> totals_;
};

}  // namespace medrepro
