#pragma once
// Device memory: a few large VkDeviceMemory blocks, each bound to one VkBuffer,
// carved into ranges for tensors. Freed ranges go back to their block only once
// the GPU work that may still use them has finished (tracked by stream serials).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/vk_api.h"

namespace medrepro {

class Context;

enum class MemoryKind {
  Device,   // device-local; where tensors live
  Staging,  // host-visible and coherent; uploads and read-backs
};

struct BufferRange {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize bytes = 0;
};

struct MemoryStats {
  uint64_t blocks = 0;
  uint64_t reserved_bytes = 0;  // sum of block sizes
  uint64_t used_bytes = 0;      // handed out and not yet freed
  uint64_t pending_free_bytes = 0;
};

class Allocator {
 public:
  struct Block;
  struct Allocation {
    Block* block = nullptr;
    VkDeviceSize offset = 0;
    VkDeviceSize bytes = 0;
  };

  Allocator(Context& context, MemoryKind kind);
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // Throws Error naming the device limit when bytes exceeds maxStorageBufferRange.
  Allocation allocate(VkDeviceSize bytes);
  // Returns the range once the stream has completed the work recorded up to `serial`.
  void release(const Allocation& allocation, uint64_t serial);
  void collect(uint64_t completed_serial);

  BufferRange range(const Allocation& a) const;
  void* mapped(const Allocation& a) const;  // staging memory only
  MemoryStats stats() const;

 private:
  bool try_allocate(VkDeviceSize bytes, Allocation& out);
  Block& add_block(VkDeviceSize bytes);

  Context& context_;
  MemoryKind kind_;
  uint32_t memory_type_ = 0;
  VkDeviceSize alignment_ = 256;
  VkDeviceSize block_bytes_ = 0;
  std::vector<std::unique_ptr<Block>> blocks_;
  std::vector<std::pair<uint64_t, Allocation>> pending_;
  uint64_t used_bytes_ = 0;
  uint64_t pending_bytes_ = 0;
};

// An owned range of device (or staging) memory; released on destruction.
class Buffer {
 public:
  Buffer(size_t bytes, MemoryKind kind = MemoryKind::Device);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t bytes() const { return bytes_; }
  BufferRange range() const;
  void* mapped() const;

 private:
  Allocator* allocator_;
  Allocator::Allocation allocation_;
  size_t bytes_;
};

std::string format_bytes(uint64_t bytes);

// The largest tensor the allocator accepts on the current device: its
// maxStorageBufferRange, or less while a ScopedBufferLimit exists.
uint64_t max_tensor_bytes();

// While one exists, tensors larger than `bytes` are refused as if the device's
// maxStorageBufferRange were that small: tests use it to exercise what splits
// work on devices with small buffers (DeviceLimitExceeded).
class ScopedBufferLimit {
 public:
  explicit ScopedBufferLimit(uint64_t bytes);
  ~ScopedBufferLimit();
  ScopedBufferLimit(const ScopedBufferLimit&) = delete;
  ScopedBufferLimit& operator=(const ScopedBufferLimit&) = delete;

 private:
  uint64_t previous_;
};

}  // namespace medrepro
