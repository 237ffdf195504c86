#pragma once
// The command stream: every op records into it, nothing waits for the GPU until
// the host needs a result. Commands are batched into a few command buffers in
// flight; a pipeline barrier goes in only where a command touches a range that
// an earlier, unbarriered command wrote (or writes one an earlier command read).
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/memory.h"
#include "core/vk_api.h"

namespace medrepro {

class Context;
class Profiler;
struct Kernel;

// How a kernel sees a buffer. Texel-buffer reads exist because some drivers turn
// them into vector gathers where storage-buffer loads become scalar loops
// (lavapipe: about 7x more data per cycle); core Vulkan, but limited to
// maxTexelBufferElements texels (see fits_texel_buffer in core/kernels.h).
enum class BindingKind : uint8_t {
  Storage,      // layout(std430) buffer: read and/or write
  TexelR32F,    // uniform samplerBuffer over R32_SFLOAT: read-only, one float per texel
  TexelRGBA32F, // uniform samplerBuffer over R32G32B32A32_SFLOAT: read-only, four floats per texel
};

struct Access {
  BufferRange range;
  bool write = false;
  BindingKind kind = BindingKind::Storage;
};
inline Access reads(const BufferRange& r) { return {r, false}; }
inline Access writes(const BufferRange& r) { return {r, true}; }
inline Access texels(const BufferRange& r, BindingKind kind = BindingKind::TexelR32F) { return {r, false, kind}; }

struct StreamStats {
  uint64_t dispatches = 0;
  uint64_t barriers = 0;
  uint64_t submits = 0;
  uint64_t waits = 0;
};

class Stream {
 public:
  explicit Stream(Context& context);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void dispatch(const Kernel& kernel, std::span<const Access> bindings, const void* push, uint32_t push_bytes,
                std::array<uint32_t, 3> groups);
  void copy(const BufferRange& source, const BufferRange& destination);
  void fill(const BufferRange& destination, uint32_t word);
  // Query commands in stream order, for core/timestamps.h: a timestamp written
  // after some recorded work is taken once all of it has finished.
  void reset_queries(VkQueryPool pool, uint32_t first, uint32_t count);
  void write_timestamp(VkQueryPool pool, uint32_t query);

  void submit();       // hands recorded work to the GPU, does not wait
  void synchronize();  // submits and waits until the GPU has finished everything

  // Work recorded now completes with this serial; memory freed now is reused after it.
  uint64_t recording_serial() const { return next_serial_; }
  uint64_t completed_serial() const { return completed_serial_; }
  const StreamStats& stats() const { return stats_; }

  // Tests only: while set, hazards are tracked as usual but no barrier is
  // recorded, so a test can show that synchronization validation reports the
  // race a GPU would run into (lavapipe computes the right numbers anyway).
  void omit_barriers_for_testing(bool omit) { omit_barriers_ = omit; }

  // Device time per kernel (core/profiler.h) from the next command on: started
  // by MEDREPRO_PROFILE when the stream is created, or here (tests, tools).
  // The table goes to stderr when the stream is destroyed; null until started.
  void start_profiling(bool by_grid = false);
  const Profiler* profiler();  // collects what has finished
  bool profiling() const { return profiler_ != nullptr; }
  // Waits for the recorded work, ends profiling and hands over what it counted.
  std::unique_ptr<Profiler> stop_profiling();

 private:
  struct Frame {
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkDescriptorPool descriptors = VK_NULL_HANDLE;
    uint64_t serial = 0;
    bool submitted = false;
    uint32_t recorded = 0;
    std::vector<VkBufferView> views;  // texel views of this batch, destroyed when it is reused
  };

  VkCommandBuffer begin_recording();
  void wait(Frame& frame);
  VkBufferView texel_view(const Access& access);
  void count_command(const std::string& name);
  void order_after_earlier_writes(std::span<const Access> accesses);
  VkDescriptorSet allocate_descriptor_set(const Kernel& kernel);

  Context& context_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  std::array<Frame, 3> frames_;
  size_t current_ = 0;
  bool recording_ = false;
  uint64_t next_serial_ = 1;
  uint64_t completed_serial_ = 0;
  std::vector<BufferRange> unbarriered_writes_;
  std::vector<BufferRange> unbarriered_reads_;
  StreamStats stats_;
  bool omit_barriers_ = false;
  std::unique_ptr<Profiler> profiler_;  // MEDREPRO_PROFILE
};

}  // namespace medrepro
