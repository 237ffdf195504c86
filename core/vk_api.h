#pragma once
// Vulkan entry points, loaded at run time from libvulkan.so.1.
// Opening the loader ourselves lets a machine without it get a clear error
// ("install libvulkan1 and a driver") instead of a dynamic-linker failure.
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#define MEDREPRO_VK_GLOBAL_FUNCTIONS(X)   \
  X(vkCreateInstance)                     \
  X(vkEnumerateInstanceLayerProperties)   \
  X(vkEnumerateInstanceExtensionProperties)

#define MEDREPRO_VK_INSTANCE_FUNCTIONS(X) \
  X(vkDestroyInstance)                    \
  X(vkEnumeratePhysicalDevices)           \
  X(vkGetPhysicalDeviceProperties)        \
  X(vkGetPhysicalDeviceProperties2)       \
  X(vkGetPhysicalDeviceFeatures)          \
  X(vkGetPhysicalDeviceMemoryProperties)  \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkEnumerateDeviceExtensionProperties) \
  X(vkCreateDevice)                       \
  X(vkDestroyDevice)                      \
  X(vkGetDeviceQueue)                     \
  X(vkCreateBuffer)                       \
  X(vkCreateBufferView)                   \
  X(vkDestroyBufferView)                  \
  X(vkGetPhysicalDeviceFormatProperties)  \
  X(vkDestroyBuffer)                      \
  X(vkGetBufferMemoryRequirements)        \
  X(vkAllocateMemory)                     \
  X(vkFreeMemory)                         \
  X(vkBindBufferMemory)                   \
  X(vkMapMemory)                          \
  X(vkUnmapMemory)                        \
  X(vkFlushMappedMemoryRanges)            \
  X(vkInvalidateMappedMemoryRanges)       \
  X(vkCreateShaderModule)                 \
  X(vkDestroyShaderModule)                \
  X(vkCreateDescriptorSetLayout)          \
  X(vkDestroyDescriptorSetLayout)         \
  X(vkCreatePipelineLayout)               \
  X(vkDestroyPipelineLayout)              \
  X(vkCreateComputePipelines)             \
  X(vkDestroyPipeline)                    \
  X(vkCreatePipelineCache)                \
  X(vkDestroyPipelineCache)               \
  X(vkCreateDescriptorPool)               \
  X(vkDestroyDescriptorPool)              \
  X(vkResetDescriptorPool)                \
  X(vkAllocateDescriptorSets)             \
  X(vkUpdateDescriptorSets)               \
  X(vkCreateCommandPool)                  \
  X(vkDestroyCommandPool)                 \
  X(vkAllocateCommandBuffers)             \
  X(vkResetCommandBuffer)                 \
  X(vkBeginCommandBuffer)                 \
  X(vkEndCommandBuffer)                   \
  X(vkCmdBindPipeline)                    \
  X(vkCmdBindDescriptorSets)              \
  X(vkCmdPushConstants)                   \
  X(vkCmdDispatch)                        \
  X(vkCmdPipelineBarrier)                 \
  X(vkCmdCopyBuffer)                      \
  X(vkCmdFillBuffer)                      \
  X(vkCreateQueryPool)                    \
  X(vkDestroyQueryPool)                   \
  X(vkCmdResetQueryPool)                  \
  X(vkCmdWriteTimestamp)                  \
  X(vkGetQueryPoolResults)                \
  X(vkCreateFence)                        \
  X(vkDestroyFence)                       \
  X(vkWaitForFences)                      \
  X(vkResetFences)                        \
  X(vkQueueSubmit)                        \
  X(vkDeviceWaitIdle)

#define MEDREPRO_VK_DEBUG_FUNCTIONS(X)    \
  X(vkCreateDebugUtilsMessengerEXT)       \
  X(vkDestroyDebugUtilsMessengerEXT)

namespace medrepro::vk {
#define MEDREPRO_VK_DECLARE(name) extern PFN_##name name;
MEDREPRO_VK_GLOBAL_FUNCTIONS(MEDREPRO_VK_DECLARE)
MEDREPRO_VK_INSTANCE_FUNCTIONS(MEDREPRO_VK_DECLARE)
MEDREPRO_VK_DEBUG_FUNCTIONS(MEDREPRO_VK_DECLARE)
#undef MEDREPRO_VK_DECLARE

// Opens the loader and resolves the global functions; throws Error naming the
// package to install when no loader is present. Safe to call repeatedly.
void load_loader();
// Resolves instance and device functions through vkGetInstanceProcAddr.
void load_instance_functions(VkInstance instance, bool debug_utils);

// Throws Error("<what> failed: VK_ERROR_...") unless result is VK_SUCCESS.
void check(VkResult result, const char* what);
const char* result_name(VkResult result);
}  // namespace medrepro::vk
