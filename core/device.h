#pragma once
// The Vulkan device everything runs on: instance, physical-device choice, the
// limits every kernel launch respects, and the objects that hang off the device
// (memory allocators, the command stream, the pipeline cache).
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/vk_api.h"

namespace medrepro {

class Allocator;
class Stream;
class Kernels;

struct DeviceLimits {
  uint32_t subgroup_size = 0;
  uint32_t max_shared_memory_bytes = 0;
  uint32_t max_push_constant_bytes = 0;
  uint64_t max_storage_buffer_range = 0;
  uint32_t max_workgroup_count[3] = {};
  uint32_t max_workgroup_size[3] = {};
  uint32_t max_workgroup_invocations = 0;
  uint64_t min_storage_buffer_offset_alignment = 0;
  uint32_t max_texel_buffer_elements = 0;
  uint64_t min_texel_buffer_offset_alignment = 0;
  bool texel_buffers = false;  // R32_SFLOAT and R32G32B32A32_SFLOAT uniform texel buffers
  uint64_t max_memory_allocation_bytes = 0;
  uint64_t device_local_heap_bytes = 0;
  float timestamp_period_ns = 0;
};

struct PhysicalDeviceInfo {
  uint32_t index = 0;  // position in vkEnumeratePhysicalDevices order; what --device takes
  std::string name;
  std::string vendor;
  std::string type;  // "discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other"
  std::string driver_version;
  std::string api_version;
  DeviceLimits limits;
};

struct DeviceOptions {
  std::optional<uint32_t> index;  // --device N; default: MEDREPRO_DEVICE, else best by type
  bool validation = false;        // Khronos validation layer; also MEDREPRO_VALIDATION=1
  // With validation: the layer's synchronization validation too (missing barriers,
  // memory reused too early). Slower; MEDREPRO_SYNC_VALIDATION=0 turns it off.
  bool synchronization_validation = true;
  static DeviceOptions from_environment();
};

// All physical devices, in --device numbering, with their limits.
std::vector<PhysicalDeviceInfo> list_devices();
std::string describe(const PhysicalDeviceInfo& info);

class Context {
 public:
  // The process-wide device. The first call to get() opens it with
  // DeviceOptions::from_environment() unless open() was called before.
  static Context& get();
  static Context& open(const DeviceOptions& options);
  static void close();  // waits for the device; all tensors must be gone
  static bool is_open();

  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const PhysicalDeviceInfo& info() const { return info_; }
  const DeviceLimits& limits() const { return info_.limits; }
  VkDevice device() const { return device_; }
  VkPhysicalDevice physical_device() const { return physical_device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  bool validation_enabled() const { return validation_; }
  bool synchronization_validation_enabled() const { return synchronization_validation_; }

  Allocator& device_memory() { return *device_memory_; }
  Allocator& staging_memory() { return *staging_memory_; }
  Stream& stream() { return *stream_; }
  Kernels& kernels() { return *kernels_; }

  // Validation-layer messages of warning or error severity since the last call.
  std::vector<std::string> take_validation_messages();
  // Waits for the device, then fails naming `where` and the layer's messages
  // since the last call, if it reported any: programs stop at the first misuse
  // of the API rather than report numbers computed after it.
  void require_no_validation_messages(const std::string& where);

 private:
  explicit Context(const DeviceOptions& options);
  static void debug_message(Context* self, const char* message);
  friend VKAPI_ATTR VkBool32 VKAPI_CALL debug_callback(VkDebugUtilsMessageSeverityFlagBitsEXT,
                                                       VkDebugUtilsMessageTypeFlagsEXT,
                                                       const VkDebugUtilsMessengerCallbackDataEXT*,
                                                       void*);

  PhysicalDeviceInfo info_;
  bool validation_ = false;
  bool synchronization_validation_ = false;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  std::unique_ptr<Allocator> device_memory_;
  std::unique_ptr<Allocator> staging_memory_;
  std::unique_ptr<Stream> stream_;
  std::unique_ptr<Kernels> kernels_;
  std::mutex messages_mutex_;
  std::vector<std::string> messages_;
};

// Closes the device when a program's main() returns, before static destructors
// run: lavapipe was seen to spin forever in LLVM's JIT teardown when the device
// was destroyed from an exit handler. Every program's main() starts with one.
struct ContextScope {
  ContextScope() = default;
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;
  ~ContextScope() { Context::close(); }
};

}  // namespace medrepro
