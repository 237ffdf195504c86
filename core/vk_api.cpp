#include "core/vk_api.h"

#include <dlfcn.h>

#include <string>

#include "core/error.h"

namespace medrepro::vk {
#define MEDREPRO_VK_DEFINE(name) PFN_##name name = nullptr;
MEDREPRO_VK_GLOBAL_FUNCTIONS(MEDREPRO_VK_DEFINE)
MEDREPRO_VK_INSTANCE_FUNCTIONS(MEDREPRO_VK_DEFINE)
MEDREPRO_VK_DEBUG_FUNCTIONS(MEDREPRO_VK_DEFINE)
#undef MEDREPRO_VK_DEFINE

namespace {
PFN_vkGetInstanceProcAddr get_instance_proc_addr = nullptr;
}

void load_loader() {
  if (get_instance_proc_addr) return;
  void* library = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) library = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fail("No Vulkan loader found (libvulkan.so.1). Install it and a driver, e.g. on Debian/Ubuntu: "
         "apt-get install libvulkan1 mesa-vulkan-drivers (Mesa's lavapipe runs on any CPU).");
  }
  get_instance_proc_addr =
      reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library, "vkGetInstanceProcAddr"));
  if (!get_instance_proc_addr) fail("libvulkan.so.1 has no vkGetInstanceProcAddr: broken Vulkan loader");
#define MEDREPRO_VK_LOAD_GLOBAL(name) \
  name = reinterpret_cast<PFN_##name>(get_instance_proc_addr(nullptr, #name));
  MEDREPRO_VK_GLOBAL_FUNCTIONS(MEDREPRO_VK_LOAD_GLOBAL)
#undef MEDREPRO_VK_LOAD_GLOBAL
}

void load_instance_functions(VkInstance instance, bool debug_utils) {
#define MEDREPRO_VK_LOAD_INSTANCE(name)                                           \
  name = reinterpret_cast<PFN_##name>(get_instance_proc_addr(instance, #name)); \
  if (!name) fail(std::string("Vulkan loader lacks ") + #name + " (Vulkan 1.1 is required)");
  MEDREPRO_VK_INSTANCE_FUNCTIONS(MEDREPRO_VK_LOAD_INSTANCE)
  if (debug_utils) {
    MEDREPRO_VK_DEBUG_FUNCTIONS(MEDREPRO_VK_LOAD_INSTANCE)
  }
#undef MEDREPRO_VK_LOAD_INSTANCE
}

const char* result_name(VkResult result) {
  switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default: return "VkResult(unknown)";
  }
}

void check(VkResult result, const char* what) {
  if (result != VK_SUCCESS) {
    fail(std::string(what) + " failed: " + result_name(result) + " (" + std::to_string(result) + ")");
  }
}
}  // namespace medrepro::vk
