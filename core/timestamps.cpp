#include "core/timestamps.h"

#include <vector>

#include "core/device.h"
#include "core/error.h"
#include "core/stream.h"

namespace medrepro {
namespace {

uint32_t timestamp_valid_bits(const Context& context) {
  uint32_t count = 0;
  vk::vkGetPhysicalDeviceQueueFamilyProperties(context.physical_device(), &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vk::vkGetPhysicalDeviceQueueFamilyProperties(context.physical_device(), &count, families.data());
  return context.queue_family() < count ? families[context.queue_family()].timestampValidBits : 0;
}

}  // namespace

bool DeviceTimer::supported(const Context& context) {
  return timestamp_valid_bits(context) > 0 && context.limits().timestamp_period_ns > 0;
}

uint64_t DeviceTimer::valid_mask(const Context& context) {
  const uint32_t bits = timestamp_valid_bits(context);
  return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

DeviceTimer::DeviceTimer() {
  Context& context = Context::get();
  if (!supported(context)) {
    fail("Device " + context.info().name + " writes no timestamps on its compute queue (timestampValidBits 0)");
  }
  valid_mask_ = valid_mask(context);
  period_ns_ = context.limits().timestamp_period_ns;
  VkQueryPoolCreateInfo create{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  create.queryType = VK_QUERY_TYPE_TIMESTAMP;
  create.queryCount = 2;
  vk::check(vk::vkCreateQueryPool(context.device(), &create, nullptr, &pool_), "vkCreateQueryPool");
}

DeviceTimer::~DeviceTimer() {
  if (!Context::is_open()) return;
  Context& context = Context::get();
  // Command buffers that write into the pool must finish before it goes.
  if (pending_) context.stream().synchronize();
  vk::vkDestroyQueryPool(context.device(), pool_, nullptr);
}

void DeviceTimer::start() {
  Stream& stream = Context::get().stream();
  stream.reset_queries(pool_, 0, 2);
  stream.write_timestamp(pool_, 0);
  started_ = pending_ = true;
  stopped_ = false;
}

void DeviceTimer::stop() {
  if (!started_) fail("DeviceTimer::stop without start");
  Context::get().stream().write_timestamp(pool_, 1);
  stopped_ = true;
}

double DeviceTimer::elapsed_ms() {
  if (!stopped_) fail("DeviceTimer::elapsed_ms needs start() and stop() first");
  Context& context = Context::get();
  context.stream().synchronize();
  pending_ = false;
  uint64_t ticks[2] = {};
  vk::check(vk::vkGetQueryPoolResults(context.device(), pool_, 0, 2, sizeof ticks, ticks, sizeof(uint64_t),
                                      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
            "vkGetQueryPoolResults");
  const uint64_t elapsed = (ticks[1] - ticks[0]) & valid_mask_;
  return static_cast<double>(elapsed) * period_ns_ * 1e-6;
}

}  // namespace medrepro
