#include "core/kernels.h"

#include <algorithm>

#include "core/error.h"

namespace medrepro {

const std::map<std::string, std::span<const uint32_t>, std::less<>>& embedded_shaders();

std::span<const uint32_t> shader_spirv(std::string_view name) {
  const auto& table = embedded_shaders();
  auto it = table.find(name);
  if (it == table.end()) fail("No shader named '" + std::string(name) + "' was built into this binary");
  return it->second;
}

uint32_t linear_workgroup_size() {
  const DeviceLimits& limits = Context::get().limits();
  const uint32_t subgroup = std::max<uint32_t>(limits.subgroup_size, 1);
  uint32_t size = std::max<uint32_t>(64, subgroup);
  size = std::min({size, limits.max_workgroup_invocations, limits.max_workgroup_size[0]});
  return size;
}

std::array<uint32_t, 3> linear_groups(uint64_t count, uint32_t local_size) {
  const DeviceLimits& limits = Context::get().limits();
  uint64_t groups = (count + local_size - 1) / local_size;
  const uint64_t max_x = limits.max_workgroup_count[0];
  if (groups <= max_x) return {static_cast<uint32_t>(groups), 1, 1};
  const uint64_t rows = (groups + max_x - 1) / max_x;
  if (rows > limits.max_workgroup_count[1]) {
    throw DeviceLimitExceeded("A kernel over " + std::to_string(count) +
                              " elements exceeds this device's maxComputeWorkGroupCount; split the work");
  }
  return {static_cast<uint32_t>(max_x), static_cast<uint32_t>(rows), 1};
}

Kernels::Kernels(Context& context) : context_(context) {
  VkPipelineCacheCreateInfo cache{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  vk::check(vk::vkCreatePipelineCache(context.device(), &cache, nullptr, &cache_), "vkCreatePipelineCache");
}

Kernels::~Kernels() {
  VkDevice device = context_.device();
  for (auto& [key, kernel] : kernels_) vk::vkDestroyPipeline(device, kernel->pipeline, nullptr);
  for (auto& [key, layout] : pipeline_layouts_) vk::vkDestroyPipelineLayout(device, layout, nullptr);
  for (auto& [key, layout] : set_layouts_) vk::vkDestroyDescriptorSetLayout(device, layout, nullptr);
  vk::vkDestroyPipelineCache(device, cache_, nullptr);
}

FastDivisor fast_divisor(uint32_t d) {
  if (d == 0) fail("fast_divisor: division by zero");
  uint32_t shift = 0;
  while ((uint64_t(1) << shift) < d) ++shift;
  const uint64_t magic = ((uint64_t(1) << 32) * ((uint64_t(1) << shift) - d)) / d + 1;
  return {static_cast<uint32_t>(magic), shift};
}

namespace {
int storage_reads_forced = 0;
}

ForceStorageReads::ForceStorageReads() { ++storage_reads_forced; }
ForceStorageReads::~ForceStorageReads() { --storage_reads_forced; }

bool fits_texel_buffer(const BufferRange& range, BindingKind kind) {
  if (storage_reads_forced > 0) return false;
  const DeviceLimits& limits = Context::get().limits();
  const uint64_t texel_bytes = kind == BindingKind::TexelRGBA32F ? 16 : 4;
  const uint64_t alignment = std::max<uint64_t>(limits.min_texel_buffer_offset_alignment, 1);
  return limits.texel_buffers && (range.bytes + texel_bytes - 1) / texel_bytes <= limits.max_texel_buffer_elements &&
         range.offset % alignment == 0;
}

VkDescriptorSetLayout Kernels::set_layout(const std::vector<BindingKind>& kinds) {
  auto it = set_layouts_.find(kinds);
  if (it != set_layouts_.end()) return it->second;
  std::vector<VkDescriptorSetLayoutBinding> bindings(kinds.size());
  for (uint32_t i = 0; i < kinds.size(); ++i) {
    const VkDescriptorType type = kinds[i] == BindingKind::Storage ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                                                                   : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    bindings[i] = {i, type, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  VkDescriptorSetLayoutCreateInfo create{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  create.bindingCount = static_cast<uint32_t>(bindings.size());
  create.pBindings = bindings.data();
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  vk::check(vk::vkCreateDescriptorSetLayout(context_.device(), &create, nullptr, &layout),
            "vkCreateDescriptorSetLayout");
  set_layouts_[kinds] = layout;
  return layout;
}

VkPipelineLayout Kernels::pipeline_layout(const std::vector<BindingKind>& kinds, uint32_t push_bytes) {
  auto key = std::make_pair(kinds, push_bytes);
  auto it = pipeline_layouts_.find(key);
  if (it != pipeline_layouts_.end()) return it->second;
  if (push_bytes > context_.limits().max_push_constant_bytes) {
    fail("A kernel needs " + std::to_string(push_bytes) + " bytes of push constants, over this device's "
         "maxPushConstantsSize of " + std::to_string(context_.limits().max_push_constant_bytes));
  }
  VkDescriptorSetLayout sets = set_layout(kinds);
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo create{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  create.setLayoutCount = 1;
  create.pSetLayouts = &sets;
  create.pushConstantRangeCount = push_bytes ? 1 : 0;
  create.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  vk::check(vk::vkCreatePipelineLayout(context_.device(), &create, nullptr, &layout), "vkCreatePipelineLayout");
  pipeline_layouts_[key] = layout;
  return layout;
}

const Kernel& Kernels::get(std::string_view shader, std::span<const BindingKind> binding_kinds, uint32_t push_bytes,
                           std::array<uint32_t, 3> local_size, std::span<const uint32_t> extra_constants) {
  const std::vector<BindingKind> bindings(binding_kinds.begin(), binding_kinds.end());
  std::vector<uint32_t> constants{local_size[0], local_size[1], local_size[2]};
  constants.insert(constants.end(), extra_constants.begin(), extra_constants.end());
  auto key = std::make_pair(std::string(shader), constants);
  auto it = kernels_.find(key);
  if (it != kernels_.end()) {
    if (it->second->bindings != bindings || it->second->push_bytes != push_bytes) {
      fail("Kernel " + std::string(shader) + " launched with inconsistent bindings or push constants");
    }
    return *it->second;
  }

  const DeviceLimits& limits = context_.limits();
  const uint64_t invocations = uint64_t(local_size[0]) * local_size[1] * local_size[2];
  if (invocations > limits.max_workgroup_invocations || local_size[0] > limits.max_workgroup_size[0] ||
      local_size[1] > limits.max_workgroup_size[1] || local_size[2] > limits.max_workgroup_size[2]) {
    fail("Kernel " + std::string(shader) + " asks for a workgroup of " + std::to_string(local_size[0]) + "x" +
         std::to_string(local_size[1]) + "x" + std::to_string(local_size[2]) +
         ", over this device's maxComputeWorkGroupSize/Invocations");
  }

  std::span<const uint32_t> code = shader_spirv(shader);
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = code.size() * sizeof(uint32_t);
  module_info.pCode = code.data();
  VkShaderModule module = VK_NULL_HANDLE;
  vk::check(vk::vkCreateShaderModule(context_.device(), &module_info, nullptr, &module), "vkCreateShaderModule");

  std::vector<VkSpecializationMapEntry> entries(constants.size());
  for (uint32_t i = 0; i < constants.size(); ++i) {
    entries[i] = {i, i * static_cast<uint32_t>(sizeof(uint32_t)), sizeof(uint32_t)};
  }
  VkSpecializationInfo specialization{};
  specialization.mapEntryCount = static_cast<uint32_t>(entries.size());
  specialization.pMapEntries = entries.data();
  specialization.dataSize = constants.size() * sizeof(uint32_t);
  specialization.pData = constants.data();

  auto kernel = std::make_unique<Kernel>();
  kernel->name = std::string(shader);
  kernel->bindings = bindings;
  kernel->push_bytes = push_bytes;
  kernel->local_size = local_size;
  kernel->set_layout = set_layout(bindings);
  kernel->layout = pipeline_layout(bindings, push_bytes);

  VkComputePipelineCreateInfo create{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  create.stage = VkPipelineShaderStageCreateInfo{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  create.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  create.stage.module = module;
  create.stage.pName = "main";
  create.stage.pSpecializationInfo = &specialization;
  create.layout = kernel->layout;
  VkResult result = vk::vkCreateComputePipelines(context_.device(), cache_, 1, &create, nullptr, &kernel->pipeline);
  vk::vkDestroyShaderModule(context_.device(), module, nullptr);
  vk::check(result, ("vkCreateComputePipelines(" + std::string(shader) + ")").c_str());
  Kernel& stored = *kernel;
  kernels_.emplace(std::move(key), std::move(kernel));
  return stored;
}

}  // namespace medrepro
