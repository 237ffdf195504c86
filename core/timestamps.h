#pragma once
// Device time of recorded work, from Vulkan timestamp queries: start() and
// stop() write a timestamp into the command stream, elapsed_ms() waits for the
// stream and reads the difference. Unlike host wall-clock time around
// Stream::synchronize, this leaves out the submit and the host's wait.
#include <cstdint>

#include "core/vk_api.h"

namespace medrepro {

class Context;

class DeviceTimer {
 public:
  // Whether the queue the stream submits to writes timestamps (its family's timestampValidBits > 0).
  static bool supported(const Context& context);
  // The bits of a timestamp that count (they wrap at timestampValidBits).
  static uint64_t valid_mask(const Context& context);

  DeviceTimer();  // on Context::get(); fails naming the device when it has no timestamps
  ~DeviceTimer();
  DeviceTimer(const DeviceTimer&) = delete;
  DeviceTimer& operator=(const DeviceTimer&) = delete;

  void start();  // taken once everything recorded so far has finished
  void stop();   // taken once everything recorded before it has finished
  // Milliseconds between the two timestamps; synchronizes the stream.
  double elapsed_ms();

 private:
  VkQueryPool pool_ = VK_NULL_HANDLE;
  double period_ns_ = 0;   // VkPhysicalDeviceLimits::timestampPeriod
  uint64_t valid_mask_ = 0;  // timestamps wrap at timestampValidBits
  bool started_ = false, stopped_ = false, pending_ = false;
};

}  // namespace medrepro
