#include "core/stream.h"

#include <cstdio>
#include <limits>
#include <string>

#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/profiler.h"

namespace medrepro {
namespace {

constexpr uint32_t kDispatchesPerSubmit = 256;
constexpr uint32_t kSetsPerPool = 1024;
constexpr uint32_t kDescriptorsPerPool = 8 * kSetsPerPool;

bool overlaps(const BufferRange& a, const BufferRange& b) {
  return a.buffer == b.buffer && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

bool overlaps_any(const BufferRange& range, const std::vector<BufferRange>& ranges) {
  for (const BufferRange& r : ranges) {
    if (overlaps(range, r)) return true;
  }
  return false;
}

}  // namespace

Stream::Stream(Context& context) : context_(context) {
  VkDevice device = context.device();
  VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = context.queue_family();
  vk::check(vk::vkCreateCommandPool(device, &pool, nullptr, &pool_), "vkCreateCommandPool");
  for (Frame& frame : frames_) {
    VkCommandBufferAllocateInfo allocate{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    allocate.commandPool = pool_;
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    vk::check(vk::vkAllocateCommandBuffers(device, &allocate, &frame.commands), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    vk::check(vk::vkCreateFence(device, &fence, nullptr, &frame.fence), "vkCreateFence");
    const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kDescriptorsPerPool},
                                          {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, kDescriptorsPerPool}};
    VkDescriptorPoolCreateInfo descriptors{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    descriptors.maxSets = kSetsPerPool;
    descriptors.poolSizeCount = 2;
    descriptors.pPoolSizes = sizes;
    vk::check(vk::vkCreateDescriptorPool(device, &descriptors, nullptr, &frame.descriptors),
              "vkCreateDescriptorPool");
  }
  Profiler::Keys keys;
  if (Profiler::requested(keys)) start_profiling(keys == Profiler::Keys::KernelAndGrid);
}

void Stream::start_profiling(bool by_grid) {
  if (profiler_) return;
  submit();  // the next frame begins with the profiler's reset and first timestamp
  const auto keys = by_grid ? Profiler::Keys::KernelAndGrid : Profiler::Keys::Kernel;
  profiler_ = std::make_unique<Profiler>(context_, uint32_t(frames_.size()), kDispatchesPerSubmit, keys);
}

const Profiler* Stream::profiler() {
  if (profiler_) synchronize();
  return profiler_.get();
}

std::unique_ptr<Profiler> Stream::stop_profiling() {
  synchronize();  // every frame with timestamps is collected
  return std::move(profiler_);
}

Stream::~Stream() {
  VkDevice device = context_.device();
  vk::vkDeviceWaitIdle(device);
  if (profiler_) {
    for (size_t i = 0; i < frames_.size(); ++i) {
      if (frames_[i].submitted) profiler_->collect(uint32_t(i));
    }
    std::fputs(profiler_->table().c_str(), stderr);
    profiler_.reset();
  }
  for (Frame& frame : frames_) {
    for (VkBufferView view : frame.views) vk::vkDestroyBufferView(device, view, nullptr);
    vk::vkDestroyDescriptorPool(device, frame.descriptors, nullptr);
    vk::vkDestroyFence(device, frame.fence, nullptr);
  }
  vk::vkDestroyCommandPool(device, pool_, nullptr);
}

void Stream::wait(Frame& frame) {
  if (!frame.submitted) return;
  vk::check(vk::vkWaitForFences(context_.device(), 1, &frame.fence, VK_TRUE, std::numeric_limits<uint64_t>::max()),
            "vkWaitForFences");
  vk::check(vk::vkResetFences(context_.device(), 1, &frame.fence), "vkResetFences");
  frame.submitted = false;
  if (profiler_) profiler_->collect(uint32_t(&frame - frames_.data()));
  ++stats_.waits;
  if (frame.serial > completed_serial_) completed_serial_ = frame.serial;
  context_.device_memory().collect(completed_serial_);
  context_.staging_memory().collect(completed_serial_);
}

VkCommandBuffer Stream::begin_recording() {
  Frame& frame = frames_[current_];
  if (!recording_) {
    wait(frame);
    vk::check(vk::vkResetDescriptorPool(context_.device(), frame.descriptors, 0), "vkResetDescriptorPool");
    for (VkBufferView view : frame.views) vk::vkDestroyBufferView(context_.device(), view, nullptr);
    frame.views.clear();
    vk::check(vk::vkResetCommandBuffer(frame.commands, 0), "vkResetCommandBuffer");
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vk::check(vk::vkBeginCommandBuffer(frame.commands, &begin), "vkBeginCommandBuffer");
    frame.serial = next_serial_;
    frame.recorded = 0;
    recording_ = true;
    if (profiler_) profiler_->begin_frame(uint32_t(current_), frame.commands);
  }
  return frame.commands;
}

void Stream::order_after_earlier_writes(std::span<const Access> accesses) {
  bool hazard = false;
  for (const Access& a : accesses) {
    if (overlaps_any(a.range, unbarriered_writes_) || (a.write && overlaps_any(a.range, unbarriered_reads_))) {
      hazard = true;
      break;
    }
  }
  if (hazard && !omit_barriers_) {
    // Earlier submissions are covered too: a barrier orders everything before it in submission order.
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                            VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vk::vkCmdPipelineBarrier(frames_[current_].commands, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    unbarriered_writes_.clear();
    unbarriered_reads_.clear();
    ++stats_.barriers;
  }
  for (const Access& a : accesses) (a.write ? unbarriered_writes_ : unbarriered_reads_).push_back(a.range);
}

VkDescriptorSet Stream::allocate_descriptor_set(const Kernel& kernel) {
  VkDescriptorSetAllocateInfo allocate{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocate.descriptorPool = frames_[current_].descriptors;
  allocate.descriptorSetCount = 1;
  allocate.pSetLayouts = &kernel.set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkResult result = vk::vkAllocateDescriptorSets(context_.device(), &allocate, &set);
  if (result == VK_ERROR_OUT_OF_POOL_MEMORY || result == VK_ERROR_FRAGMENTED_POOL) {
    submit();
    begin_recording();
    allocate.descriptorPool = frames_[current_].descriptors;
    result = vk::vkAllocateDescriptorSets(context_.device(), &allocate, &set);
  }
  vk::check(result, "vkAllocateDescriptorSets");
  return set;
}

VkBufferView Stream::texel_view(const Access& access) {
  const bool vec4 = access.kind == BindingKind::TexelRGBA32F;
  const VkDeviceSize texel_bytes = vec4 ? 16 : 4;
  VkBufferViewCreateInfo create{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  create.buffer = access.range.buffer;
  create.format = vec4 ? VK_FORMAT_R32G32B32A32_SFLOAT : VK_FORMAT_R32_SFLOAT;
  create.offset = access.range.offset;
  // Allocations are padded to a multiple of 16 bytes, so a partial last texel stays inside.
  create.range = (access.range.bytes + texel_bytes - 1) / texel_bytes * texel_bytes;
  VkBufferView view = VK_NULL_HANDLE;
  vk::check(vk::vkCreateBufferView(context_.device(), &create, nullptr, &view), "vkCreateBufferView");
  frames_[current_].views.push_back(view);
  return view;
}

void Stream::dispatch(const Kernel& kernel, std::span<const Access> bindings, const void* push,
                      uint32_t push_bytes, std::array<uint32_t, 3> groups) {
  bool kinds_match = bindings.size() == kernel.bindings.size();
  for (size_t i = 0; kinds_match && i < bindings.size(); ++i) kinds_match = bindings[i].kind == kernel.bindings[i];
  if (!kinds_match) {
    fail("Kernel " + kernel.name + " takes " + std::to_string(kernel.bindings.size()) +
         " bindings of other kinds than the " + std::to_string(bindings.size()) + " it was given");
  }
  if (push_bytes != kernel.push_bytes) {
    fail("Kernel " + kernel.name + " takes " + std::to_string(kernel.push_bytes) + " bytes of push constants, got " +
         std::to_string(push_bytes));
  }
  const DeviceLimits& limits = context_.limits();
  for (int i = 0; i < 3; ++i) {
    if (groups[i] > limits.max_workgroup_count[i]) {
      fail("Kernel " + kernel.name + " needs " + std::to_string(groups[i]) + " workgroups in dimension " +
           std::to_string(i) + ", over this device's maxComputeWorkGroupCount of " +
           std::to_string(limits.max_workgroup_count[i]));
    }
  }
  if (groups[0] == 0 || groups[1] == 0 || groups[2] == 0) return;

  VkCommandBuffer commands = begin_recording();
  VkDescriptorSet set = allocate_descriptor_set(kernel);
  commands = frames_[current_].commands;  // allocation may have started a new frame

  std::vector<VkDescriptorBufferInfo> infos(bindings.size());
  std::vector<VkBufferView> views(bindings.size());
  std::vector<VkWriteDescriptorSet> writes(bindings.size());
  for (size_t i = 0; i < bindings.size(); ++i) {
    writes[i] = VkWriteDescriptorSet{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    if (bindings[i].kind == BindingKind::Storage) {
      infos[i] = {bindings[i].range.buffer, bindings[i].range.offset, bindings[i].range.bytes};
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    } else {
      views[i] = texel_view(bindings[i]);
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      writes[i].pTexelBufferView = &views[i];
    }
  }
  vk::vkUpdateDescriptorSets(context_.device(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  order_after_earlier_writes(bindings);
  vk::vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline);
  vk::vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.layout, 0, 1, &set, 0, nullptr);
  if (push_bytes) vk::vkCmdPushConstants(commands, kernel.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vk::vkCmdDispatch(commands, groups[0], groups[1], groups[2]);
  ++stats_.dispatches;
  if (profiler_ && profiler_->by_grid()) {
    count_command(kernel.name + " " + std::to_string(groups[0]) + "x" + std::to_string(groups[1]) + "x" +
                  std::to_string(groups[2]));
  } else {
    count_command(kernel.name);
  }
}

void Stream::count_command(const std::string& name) {
  if (profiler_) profiler_->after_command(uint32_t(current_), frames_[current_].commands, name);
  if (++frames_[current_].recorded >= kDispatchesPerSubmit) submit();
}

void Stream::copy(const BufferRange& source, const BufferRange& destination) {
  if (source.bytes != destination.bytes) fail("Stream::copy: source and destination sizes differ");
  if (source.bytes == 0) return;
  VkCommandBuffer commands = begin_recording();
  const Access accesses[] = {reads(source), writes(destination)};
  order_after_earlier_writes(accesses);
  VkBufferCopy region{source.offset, destination.offset, source.bytes};
  vk::vkCmdCopyBuffer(commands, source.buffer, destination.buffer, 1, &region);
  count_command("(buffer copy)");
}

void Stream::fill(const BufferRange& destination, uint32_t word) {
  if (destination.bytes == 0) return;
  if (destination.bytes % 4 || destination.offset % 4) fail("Stream::fill: range must be 4-byte aligned");
  VkCommandBuffer commands = begin_recording();
  const Access accesses[] = {writes(destination)};
  order_after_earlier_writes(accesses);
  vk::vkCmdFillBuffer(commands, destination.buffer, destination.offset, destination.bytes, word);
  count_command("(buffer fill)");
}

void Stream::reset_queries(VkQueryPool pool, uint32_t first, uint32_t count) {
  vk::vkCmdResetQueryPool(begin_recording(), pool, first, count);
}

void Stream::write_timestamp(VkQueryPool pool, uint32_t query) {
  // Bottom of pipe: the value is latched when every earlier command of the queue has completed.
  vk::vkCmdWriteTimestamp(begin_recording(), VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, query);
}

void Stream::submit() {
  if (!recording_) return;
  Frame& frame = frames_[current_];
  // Make every write of this batch visible to the host once the fence signals.
  VkMemoryBarrier to_host{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  to_host.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vk::vkCmdPipelineBarrier(frame.commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, nullptr, 0, nullptr);
  vk::check(vk::vkEndCommandBuffer(frame.commands), "vkEndCommandBuffer");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &frame.commands;
  VkResult result = vk::vkQueueSubmit(context_.queue(), 1, &submit, frame.fence);
  if (result == VK_ERROR_DEVICE_LOST) {
    fail("The Vulkan device was lost while running submitted work (driver reset or a kernel fault)");
  }
  vk::check(result, "vkQueueSubmit");
  frame.submitted = true;
  recording_ = false;
  ++next_serial_;
  ++stats_.submits;
  current_ = (current_ + 1) % frames_.size();
}

void Stream::synchronize() {
  submit();
  for (size_t i = 0; i < frames_.size(); ++i) wait(frames_[(current_ + i) % frames_.size()]);
}

}  // namespace medrepro
