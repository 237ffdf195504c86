#include "core/memory.h"

#include <algorithm>
#include <sstream>

#include "core/device.h"
#include "core/error.h"
#include "core/stream.h"

namespace medrepro {

struct Allocator::Block {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize bytes = 0;
  void* mapped = nullptr;
  std::map<VkDeviceSize, VkDeviceSize> free_ranges;  // offset -> size, coalesced
};

namespace {

constexpr VkDeviceSize kDefaultBlockBytes = 64ull << 20;

uint64_t test_buffer_limit = UINT64_MAX;  // ScopedBufferLimit

VkDeviceSize align_up(VkDeviceSize value, VkDeviceSize alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint32_t pick_memory_type(VkPhysicalDevice device, MemoryKind kind) {
  VkPhysicalDeviceMemoryProperties memory{};
  vk::vkGetPhysicalDeviceMemoryProperties(device, &memory);
  const VkMemoryPropertyFlags required =
      kind == MemoryKind::Device ? 0 : VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const VkMemoryPropertyFlags preferred =
      kind == MemoryKind::Device ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT : VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  int best = -1;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    if (best < 0 || ((flags & preferred) == preferred &&
                     (memory.memoryTypes[best].propertyFlags & preferred) != preferred)) {
      best = static_cast<int>(i);
    }
  }
  if (best < 0) fail("The Vulkan device offers no host-visible coherent memory type");
  return static_cast<uint32_t>(best);
}

constexpr VkBufferUsageFlags kUsage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

}  // namespace

std::string format_bytes(uint64_t bytes) {
  std::ostringstream out;
  out.precision(3);
  if (bytes >= (1ull << 30)) out << static_cast<double>(bytes) / (1ull << 30) << " GiB";
  else if (bytes >= (1ull << 20)) out << static_cast<double>(bytes) / (1ull << 20) << " MiB";
  else out << bytes << " B";
  return out.str();
}

Allocator::Allocator(Context& context, MemoryKind kind) : context_(context), kind_(kind) {
  memory_type_ = pick_memory_type(context.physical_device(), kind);
  const DeviceLimits& limits = context.limits();
  // Every range can be bound as a storage buffer or viewed as texels of up to 16 bytes.
  alignment_ = std::max<VkDeviceSize>({limits.min_storage_buffer_offset_alignment,
                                       limits.min_texel_buffer_offset_alignment, 16});
  block_bytes_ = std::min<VkDeviceSize>({kDefaultBlockBytes, limits.max_storage_buffer_range,
                                         limits.max_memory_allocation_bytes});
}

Allocator::~Allocator() {
  VkDevice device = context_.device();
  for (auto& block : blocks_) {
    vk::vkDestroyBuffer(device, block->buffer, nullptr);
    vk::vkFreeMemory(device, block->memory, nullptr);
  }
}

Allocator::Block& Allocator::add_block(VkDeviceSize bytes) {
  VkDevice device = context_.device();
  auto block = std::make_unique<Block>();
  block->bytes = bytes;
  VkBufferCreateInfo buffer{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  buffer.size = bytes;
  buffer.usage = kUsage;
  buffer.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  vk::check(vk::vkCreateBuffer(device, &buffer, nullptr, &block->buffer), "vkCreateBuffer");
  VkMemoryRequirements requirements{};
  vk::vkGetBufferMemoryRequirements(device, block->buffer, &requirements);
  if (!(requirements.memoryTypeBits & (1u << memory_type_))) {
    vk::vkDestroyBuffer(device, block->buffer, nullptr);
    fail("The chosen memory type cannot back storage buffers on this device");
  }
  VkMemoryAllocateInfo allocate{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = memory_type_;
  VkResult result = vk::vkAllocateMemory(device, &allocate, nullptr, &block->memory);
  if (result != VK_SUCCESS) {
    vk::vkDestroyBuffer(device, block->buffer, nullptr);
    const MemoryStats s = stats();
    fail("Out of " + std::string(kind_ == MemoryKind::Device ? "device" : "staging") + " memory allocating a " +
         format_bytes(bytes) + " block (" + vk::result_name(result) + "; " + format_bytes(s.reserved_bytes) +
         " already reserved in " + std::to_string(s.blocks) + " blocks)");
  }
  vk::check(vk::vkBindBufferMemory(device, block->buffer, block->memory, 0), "vkBindBufferMemory");
  if (kind_ == MemoryKind::Staging) {
    vk::check(vk::vkMapMemory(device, block->memory, 0, VK_WHOLE_SIZE, 0, &block->mapped), "vkMapMemory");
  }
  block->free_ranges[0] = bytes;
  blocks_.push_back(std::move(block));
  return *blocks_.back();
}

bool Allocator::try_allocate(VkDeviceSize bytes, Allocation& out) {
  for (auto& block : blocks_) {
    for (auto it = block->free_ranges.begin(); it != block->free_ranges.end(); ++it) {
      const auto [offset, size] = *it;  // offsets are kept aligned
      if (size < bytes) continue;
      block->free_ranges.erase(it);
      if (size > bytes) block->free_ranges[offset + bytes] = size - bytes;
      out = Allocation{block.get(), offset, bytes};
      return true;
    }
  }
  return false;
}

Allocator::Allocation Allocator::allocate(VkDeviceSize requested) {
  const uint64_t range = max_tensor_bytes();
  if (requested > range) {
    throw DeviceLimitExceeded("A tensor of " + format_bytes(requested) +
                              " exceeds this device's maxStorageBufferRange of " + format_bytes(range) + " (" +
                              context_.info().name + "); split it, e.g. use a smaller batch");
  }
  const VkDeviceSize bytes = align_up(std::max<VkDeviceSize>(requested, 4), alignment_);
  Allocation allocation;
  if (try_allocate(bytes, allocation)) {
    used_bytes_ += bytes;
    return allocation;
  }
  // Ranges still in use by in-flight work come back as the GPU finishes; wait for
  // them only when growing further would take more than a fair share of the heap.
  const uint64_t heap = kind_ == MemoryKind::Device ? context_.limits().device_local_heap_bytes : 0;
  const uint64_t budget = std::max<uint64_t>(heap / 2, 8 * block_bytes_);
  if (pending_bytes_ >= bytes && stats().reserved_bytes + std::max(block_bytes_, bytes) > budget) {
    context_.stream().synchronize();
    collect(context_.stream().completed_serial());
    if (try_allocate(bytes, allocation)) {
      used_bytes_ += bytes;
      return allocation;
    }
  }
  Block& block = add_block(std::max(block_bytes_, bytes));
  block.free_ranges.clear();
  if (block.bytes > bytes) block.free_ranges[bytes] = block.bytes - bytes;
  used_bytes_ += bytes;
  return Allocation{&block, 0, bytes};
}

void Allocator::release(const Allocation& allocation, uint64_t serial) {
  pending_.emplace_back(serial, allocation);
  pending_bytes_ += allocation.bytes;
  used_bytes_ -= allocation.bytes;
}

void Allocator::collect(uint64_t completed_serial) {
  auto done = std::stable_partition(pending_.begin(), pending_.end(),
                                    [&](const auto& p) { return p.first > completed_serial; });
  for (auto it = done; it != pending_.end(); ++it) {
    const Allocation& a = it->second;
    auto& ranges = a.block->free_ranges;
    auto [inserted, ok] = ranges.emplace(a.offset, a.bytes);
    // Coalesce with the following and the preceding free range.
    auto next = std::next(inserted);
    if (next != ranges.end() && inserted->first + inserted->second == next->first) {
      inserted->second += next->second;
      ranges.erase(next);
    }
    if (inserted != ranges.begin()) {
      auto previous = std::prev(inserted);
      if (previous->first + previous->second == inserted->first) {
        previous->second += inserted->second;
        ranges.erase(inserted);
      }
    }
    pending_bytes_ -= a.bytes;
  }
  pending_.erase(done, pending_.end());
}

BufferRange Allocator::range(const Allocation& a) const { return {a.block->buffer, a.offset, a.bytes}; }

void* Allocator::mapped(const Allocation& a) const {
  return a.block->mapped ? static_cast<char*>(a.block->mapped) + a.offset : nullptr;
}

MemoryStats Allocator::stats() const {
  MemoryStats s;
  s.blocks = blocks_.size();
  for (const auto& block : blocks_) s.reserved_bytes += block->bytes;
  s.used_bytes = used_bytes_;
  s.pending_free_bytes = pending_bytes_;
  return s;
}

Buffer::Buffer(size_t bytes, MemoryKind kind)
    : allocator_(kind == MemoryKind::Device ? &Context::get().device_memory() : &Context::get().staging_memory()),
      allocation_(allocator_->allocate(bytes)),
      bytes_(bytes) {}

Buffer::~Buffer() {
  if (Context::is_open()) allocator_->release(allocation_, Context::get().stream().recording_serial());
}

BufferRange Buffer::range() const {
  BufferRange r = allocator_->range(allocation_);
  r.bytes = bytes_;
  return r;
}

void* Buffer::mapped() const { return allocator_->mapped(allocation_); }

uint64_t max_tensor_bytes() {
  return std::min<uint64_t>(Context::get().limits().max_storage_buffer_range, test_buffer_limit);
}

ScopedBufferLimit::ScopedBufferLimit(uint64_t bytes) : previous_(test_buffer_limit) {
  test_buffer_limit = std::min(test_buffer_limit, bytes);
}
ScopedBufferLimit::~ScopedBufferLimit() { test_buffer_limit = previous_; }

}  // namespace medrepro
