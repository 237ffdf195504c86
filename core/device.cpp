#include "core/device.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

#include "core/error.h"
#include "core/kernels.h"
#include "core/memory.h"
#include "core/stream.h"

namespace medrepro {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

std::unique_ptr<Context>& current_context() {
  static std::unique_ptr<Context> context;
  return context;
}

bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value && *value && std::strcmp(value, "0") != 0;
}

bool has_layer(const char* layer) {
  uint32_t count = 0;
  vk::vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vk::vkEnumerateInstanceLayerProperties(&count, layers.data());
  return std::any_of(layers.begin(), layers.end(),
                     [&](const VkLayerProperties& p) { return std::strcmp(p.layerName, layer) == 0; });
}

// `layer` null: the extensions of the loader, the drivers and the implicit layers.
bool has_instance_extension(const char* extension, const char* layer = nullptr) {
  uint32_t count = 0;
  vk::vkEnumerateInstanceExtensionProperties(layer, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vk::vkEnumerateInstanceExtensionProperties(layer, &count, extensions.data());
  return std::any_of(extensions.begin(), extensions.end(), [&](const VkExtensionProperties& p) {
    return std::strcmp(p.extensionName, extension) == 0;
  });
}

// The stream keeps up to three batches in flight and orders a command after
// earlier batches' writes with its barriers, so a hazard may cross submissions.
// Layers of the 1.3.239 era (Debian 12) check those only with this alpha option,
// which only their environment reaches (VK_EXT_layer_settings came later); newer
// layers check between submissions by default.
void enable_synchronization_validation_between_submissions() {
  constexpr const char* kEnable = "VALIDATION_CHECK_ENABLE_SYNCHRONIZATION_VALIDATION_QUEUE_SUBMIT";
  const char* current = std::getenv("VK_LAYER_ENABLES");
  std::string enables = current ? current : "";
  if (enables.find(kEnable) != std::string::npos) return;
  if (!enables.empty()) enables += ':';  // the layer's list separator on Linux and macOS
  enables += kEnable;
  setenv("VK_LAYER_ENABLES", enables.c_str(), 1);
}

VkInstance create_instance(bool validation, bool synchronization_validation, bool debug_utils) {
  vk::load_loader();
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "medrepro";
  app.pEngineName = "medrepro";
  app.apiVersion = VK_API_VERSION_1_1;
  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  if (validation) layers.push_back(kValidationLayer);
  if (debug_utils) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  // Synchronization validation beside the layer's default checks: lavapipe runs
  // commands one after another, so a missing barrier computes the right numbers
  // there and the wrong ones on a GPU that overlaps them.
  const VkValidationFeatureEnableEXT enabled_features[] = {
      VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = enabled_features;
  const bool features_wanted = validation && synchronization_validation;
  if (features_wanted) {
    extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
    enable_synchronization_validation_between_submissions();
  }
  VkInstanceCreateInfo create{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  if (features_wanted) create.pNext = &features;
  create.pApplicationInfo = &app;
  create.enabledLayerCount = static_cast<uint32_t>(layers.size());
  create.ppEnabledLayerNames = layers.data();
  create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  create.ppEnabledExtensionNames = extensions.data();
  VkInstance instance = VK_NULL_HANDLE;
  VkResult result = vk::vkCreateInstance(&create, nullptr, &instance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER) {
    fail("No Vulkan 1.1 driver found. Install one, e.g. apt-get install mesa-vulkan-drivers "
         "(lavapipe, a CPU driver) or your GPU vendor's driver.");
  }
  vk::check(result, "vkCreateInstance");
  vk::load_instance_functions(instance, debug_utils);
  return instance;
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  uint32_t count = 0;
  vk::check(vk::vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> devices(count);
  vk::check(vk::vkEnumeratePhysicalDevices(instance, &count, devices.data()), "vkEnumeratePhysicalDevices");
  if (devices.empty()) {
    fail("The Vulkan loader found no device. Install a driver, e.g. apt-get install mesa-vulkan-drivers "
         "(lavapipe, a CPU driver) or your GPU vendor's Vulkan driver.");
  }
  return devices;
}

std::string vendor_name(uint32_t id) {
  switch (id) {
    case 0x1002: return "AMD";
    case 0x10DE: return "NVIDIA";
    case 0x8086: return "Intel";
    case 0x13B5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x106B: return "Apple";
    case 0x10005: return "Mesa";
    default: {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "0x%04x", id);
      return buffer;
    }
  }
}

std::string type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
  }
}

// Lower is preferred: discrete GPU, then integrated, then virtual, then a CPU driver.
int type_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

std::string version_string(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

PhysicalDeviceInfo query_info(VkPhysicalDevice device, uint32_t index) {
  VkPhysicalDeviceProperties base{};
  vk::vkGetPhysicalDeviceProperties(device, &base);
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceMaintenance3Properties maintenance3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  subgroup.pNext = &maintenance3;
  const bool has_driver_properties = base.apiVersion >= VK_API_VERSION_1_2;
  if (has_driver_properties) maintenance3.pNext = &driver;
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties.pNext = &subgroup;
  vk::vkGetPhysicalDeviceProperties2(device, &properties);

  PhysicalDeviceInfo info;
  info.index = index;
  info.name = base.deviceName;
  info.vendor = vendor_name(base.vendorID);
  info.type = type_name(base.deviceType);
  info.api_version = version_string(base.apiVersion);
  info.driver_version = has_driver_properties
                            ? std::string(driver.driverName) + " " + driver.driverInfo
                            : "driver " + std::to_string(base.driverVersion);
  const VkPhysicalDeviceLimits& l = base.limits;
  DeviceLimits& limits = info.limits;
  limits.subgroup_size = subgroup.subgroupSize;
  limits.max_shared_memory_bytes = l.maxComputeSharedMemorySize;
  limits.max_push_constant_bytes = l.maxPushConstantsSize;
  limits.max_storage_buffer_range = l.maxStorageBufferRange;
  for (int i = 0; i < 3; ++i) {
    limits.max_workgroup_count[i] = l.maxComputeWorkGroupCount[i];
    limits.max_workgroup_size[i] = l.maxComputeWorkGroupSize[i];
  }
  limits.max_workgroup_invocations = l.maxComputeWorkGroupInvocations;
  limits.min_storage_buffer_offset_alignment = l.minStorageBufferOffsetAlignment;
  limits.max_texel_buffer_elements = l.maxTexelBufferElements;
  limits.min_texel_buffer_offset_alignment = l.minTexelBufferOffsetAlignment;
  limits.texel_buffers = true;
  for (VkFormat format : {VK_FORMAT_R32_SFLOAT, VK_FORMAT_R32G32B32A32_SFLOAT}) {
    VkFormatProperties format_properties{};
    vk::vkGetPhysicalDeviceFormatProperties(device, format, &format_properties);
    if (!(format_properties.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT)) limits.texel_buffers = false;
  }
  limits.max_memory_allocation_bytes = maintenance3.maxMemoryAllocationSize;
  limits.timestamp_period_ns = l.timestampPeriod;
  VkPhysicalDeviceMemoryProperties memory{};
  vk::vkGetPhysicalDeviceMemoryProperties(device, &memory);
  for (uint32_t i = 0; i < memory.memoryHeapCount; ++i) {
    if (memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
      limits.device_local_heap_bytes = std::max<uint64_t>(limits.device_local_heap_bytes, memory.memoryHeaps[i].size);
    }
  }
  return info;
}

uint32_t choose_device(const std::vector<VkPhysicalDevice>& devices, const DeviceOptions& options) {
  if (options.index) {
    if (*options.index >= devices.size()) {
      fail("Device " + std::to_string(*options.index) + " requested, but only " + std::to_string(devices.size()) +
           " Vulkan device(s) exist (see `medrepro devices`).");
    }
    return *options.index;
  }
  uint32_t best = 0;
  int best_rank = 1 << 30;
  for (uint32_t i = 0; i < devices.size(); ++i) {
    VkPhysicalDeviceProperties p{};
    vk::vkGetPhysicalDeviceProperties(devices[i], &p);
    if (p.apiVersion < VK_API_VERSION_1_1) continue;
    if (type_rank(p.deviceType) < best_rank) {
      best_rank = type_rank(p.deviceType);
      best = i;
    }
  }
  return best;
}

std::string human_bytes(uint64_t bytes) {
  std::ostringstream out;
  if (bytes >= (1ull << 30)) out << (bytes >> 30) << " GiB";
  else if (bytes >= (1ull << 20)) out << (bytes >> 20) << " MiB";
  else out << (bytes >> 10) << " KiB";
  return out.str();
}

}  // namespace

VKAPI_ATTR VkBool32 VKAPI_CALL debug_callback(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    Context::debug_message(static_cast<Context*>(user), data->pMessage ? data->pMessage : "(no message)");
  }
  return VK_FALSE;
}

void Context::debug_message(Context* self, const char* message) {
  std::fprintf(stderr, "[vulkan validation] %s\n", message);
  std::lock_guard<std::mutex> lock(self->messages_mutex_);
  self->messages_.emplace_back(message);
}

DeviceOptions DeviceOptions::from_environment() {
  DeviceOptions options;
  if (const char* index = std::getenv("MEDREPRO_DEVICE"); index && *index) {
    char* end = nullptr;
    unsigned long value = std::strtoul(index, &end, 10);
    if (*end != '\0') fail(std::string("MEDREPRO_DEVICE must be a device number, got '") + index + "'");
    options.index = static_cast<uint32_t>(value);
  }
  options.validation = env_flag("MEDREPRO_VALIDATION");
  if (const char* sync = std::getenv("MEDREPRO_SYNC_VALIDATION"); sync && std::strcmp(sync, "0") == 0) {
    options.synchronization_validation = false;
  }
  return options;
}

std::vector<PhysicalDeviceInfo> list_devices() {
  VkInstance instance = create_instance(false, false, false);
  std::vector<PhysicalDeviceInfo> infos;
  try {
    auto devices = physical_devices(instance);
    for (uint32_t i = 0; i < devices.size(); ++i) infos.push_back(query_info(devices[i], i));
  } catch (...) {
    vk::vkDestroyInstance(instance, nullptr);
    throw;
  }
  vk::vkDestroyInstance(instance, nullptr);
  return infos;
}

std::string describe(const PhysicalDeviceInfo& info) {
  const DeviceLimits& l = info.limits;
  std::ostringstream out;
  out << "[" << info.index << "] " << info.name << " (" << info.vendor << ", " << info.type << ")\n"
      << "    driver " << info.driver_version << ", Vulkan " << info.api_version << "\n"
      << "    subgroup " << l.subgroup_size << ", shared memory " << human_bytes(l.max_shared_memory_bytes)
      << ", push constants " << l.max_push_constant_bytes << " B\n"
      << "    max storage buffer range " << human_bytes(l.max_storage_buffer_range) << ", max allocation "
      << human_bytes(l.max_memory_allocation_bytes) << ", device-local heap "
      << human_bytes(l.device_local_heap_bytes) << "\n"
      << "    workgroup size <= " << l.max_workgroup_size[0] << "x" << l.max_workgroup_size[1] << "x"
      << l.max_workgroup_size[2] << " (" << l.max_workgroup_invocations << " invocations), count <= "
      << l.max_workgroup_count[0] << "x" << l.max_workgroup_count[1] << "x" << l.max_workgroup_count[2] << "\n"
      << "    texel buffers " << (l.texel_buffers ? "yes" : "no") << ", max texel buffer elements "
      << l.max_texel_buffer_elements;
  return out.str();
}

Context::Context(const DeviceOptions& options) {
  vk::load_loader();
  validation_ = options.validation;
  if (validation_ && !has_layer(kValidationLayer)) {
    fail("Validation was requested but VK_LAYER_KHRONOS_validation is not installed "
         "(Debian: apt-get install vulkan-validationlayers).");
  }
  synchronization_validation_ = validation_ && options.synchronization_validation;
  if (synchronization_validation_ &&
      !has_instance_extension(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME, kValidationLayer)) {
    fail("Validation was requested but this VK_LAYER_KHRONOS_validation lacks VK_EXT_validation_features, "
         "which turns on its synchronization validation; install a newer layer (Vulkan SDK 1.2.131 or later) "
         "or set MEDREPRO_SYNC_VALIDATION=0 to validate without it.");
  }
  const bool debug_utils = validation_ && has_instance_extension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  instance_ = create_instance(validation_, synchronization_validation_, debug_utils);
  if (debug_utils) {
    VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger.messageType =
        VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger.pfnUserCallback = debug_callback;
    messenger.pUserData = this;
    vk::check(vk::vkCreateDebugUtilsMessengerEXT(instance_, &messenger, nullptr, &messenger_),
              "vkCreateDebugUtilsMessengerEXT");
  }

  auto devices = physical_devices(instance_);
  const uint32_t chosen = choose_device(devices, options);
  physical_device_ = devices[chosen];
  info_ = query_info(physical_device_, chosen);

  uint32_t family_count = 0;
  vk::vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vk::vkGetPhysicalDeviceQueueFamilyProperties(physical_device_, &family_count, families.data());
  auto compute = std::find_if(families.begin(), families.end(),
                              [](const VkQueueFamilyProperties& f) { return f.queueFlags & VK_QUEUE_COMPUTE_BIT; });
  if (compute == families.end()) fail("Device " + info_.name + " has no compute queue");
  queue_family_ = static_cast<uint32_t>(compute - families.begin());

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueFamilyIndex = queue_family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo create{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue;
  vk::check(vk::vkCreateDevice(physical_device_, &create, nullptr, &device_), "vkCreateDevice");
  vk::vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  device_memory_ = std::make_unique<Allocator>(*this, MemoryKind::Device);
  staging_memory_ = std::make_unique<Allocator>(*this, MemoryKind::Staging);
  kernels_ = std::make_unique<Kernels>(*this);
  stream_ = std::make_unique<Stream>(*this);
}

Context::~Context() {
  if (device_) vk::vkDeviceWaitIdle(device_);
  stream_.reset();
  kernels_.reset();
  staging_memory_.reset();
  device_memory_.reset();
  if (device_) vk::vkDestroyDevice(device_, nullptr);
  if (messenger_) vk::vkDestroyDebugUtilsMessengerEXT(instance_, messenger_, nullptr);
  if (instance_) vk::vkDestroyInstance(instance_, nullptr);
}

std::vector<std::string> Context::take_validation_messages() {
  std::lock_guard<std::mutex> lock(messages_mutex_);
  return std::exchange(messages_, {});
}

void Context::require_no_validation_messages(const std::string& where) {
  if (!validation_) return;
  stream_->synchronize();
  const std::vector<std::string> messages = take_validation_messages();
  if (messages.empty()) return;
  std::string text = "The Vulkan validation layer reported " + std::to_string(messages.size()) + " message(s) " + where;
  text.append(": ").append(messages.front());
  fail(text);
}

Context& Context::get() {
  if (!current_context()) open(DeviceOptions::from_environment());
  return *current_context();
}

Context& Context::open(const DeviceOptions& options) {
  if (current_context()) fail("Context::open called twice: the device is already open");
  current_context().reset(new Context(options));
  return *current_context();
}

void Context::close() { current_context().reset(); }

bool Context::is_open() { return current_context() != nullptr; }

}  // namespace medrepro
