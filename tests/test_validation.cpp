// The validation layer's messages reach the program: a deliberate misuse of the
// API is reported, and require_no_validation_messages stops with it.
#include <doctest/doctest.h>

#include "core/device.h"
#include "core/error.h"
#include "core/vk_api.h"

TEST_CASE("a validation message stops the program, naming where it happened") {
  medrepro::Context& context = medrepro::Context::get();
  REQUIRE(context.validation_enabled());
  CHECK_NOTHROW(context.require_no_validation_messages("before the misuse"));

  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = 256;
  info.usage = 0;  // invalid: a buffer needs at least one usage bit
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  if (medrepro::vk::vkCreateBuffer(context.device(), &info, nullptr, &buffer) == VK_SUCCESS) {
    medrepro::vk::vkDestroyBuffer(context.device(), buffer, nullptr);
  }
  CHECK_THROWS_WITH_AS(context.require_no_validation_messages("in the test"),
                       doctest::Contains("message(s) in the test: "), medrepro::Error);
  CHECK_NOTHROW(context.require_no_validation_messages("after the report"));
}
