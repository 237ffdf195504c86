// The validation layer's messages reach the program: a deliberate misuse of the
// API is reported, and require_no_validation_messages stops with it; a barrier
// the stream is made to leave out is reported by synchronization validation.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/error.h"
#include "core/stream.h"
#include "core/tensor.h"
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

namespace {

// Records what `record` asks of the stream without its barriers, then returns
// the layer's messages about it.
std::vector<std::string> messages_without_barriers(const std::function<void()>& record) {
  medrepro::Context& context = medrepro::Context::get();
  medrepro::Stream& stream = context.stream();
  stream.synchronize();
  REQUIRE(context.take_validation_messages().empty());
  stream.omit_barriers_for_testing(true);
  record();
  stream.omit_barriers_for_testing(false);
  stream.synchronize();
  return context.take_validation_messages();
}

bool any_contains(const std::vector<std::string>& messages, const std::string& text) {
  return std::any_of(messages.begin(), messages.end(),
                     [&](const std::string& message) { return message.find(text) != std::string::npos; });
}

}  // namespace

// lavapipe runs commands one after another, so without these checks a missing
// barrier would pass every test here and race on a GPU.
TEST_CASE("synchronization validation reports what a barrier the stream leaves out would break") {
  medrepro::Context& context = medrepro::Context::get();
  REQUIRE(context.synchronization_validation_enabled());
  using medrepro::Tensor;

  SUBCASE("a copy reading what a fill wrote") {
    const auto messages = messages_without_barriers([] {
      Tensor source = Tensor::full({1024}, 1.0f);
      Tensor destination = Tensor::empty({1024});
      medrepro::copy_into(destination, source);
    });
    CHECK_MESSAGE(any_contains(messages, "SYNC-HAZARD-READ-AFTER-WRITE"), messages.size() << " message(s)");
  }
  // Caught only by the layer's check between submissions (see core/device.cpp).
  SUBCASE("a copy reading what a fill of the previous submission wrote") {
    const auto messages = messages_without_barriers([] {
      Tensor source = Tensor::full({1024}, 1.0f);
      medrepro::Context::get().stream().submit();
      Tensor destination = Tensor::empty({1024});
      medrepro::copy_into(destination, source);
    });
    CHECK_MESSAGE(any_contains(messages, "SYNC-HAZARD-READ-AFTER-WRITE"), messages.size() << " message(s)");
  }
  SUBCASE("a kernel reading what a kernel wrote") {
    const auto messages = messages_without_barriers([] {
      Tensor x = Tensor::empty({1024});
      Tensor y = Tensor::empty({1024});
      Tensor z = Tensor::empty({1024});
      medrepro::axpby(y, x, 2.0f, 0.0f);
      medrepro::axpby(z, y, 2.0f, 0.0f);
    });
    CHECK_MESSAGE(any_contains(messages, "SYNC-HAZARD-READ-AFTER-WRITE"), messages.size() << " message(s)");
  }
  SUBCASE("a kernel overwriting what a kernel still reads") {
    const auto messages = messages_without_barriers([] {
      Tensor x = Tensor::empty({1024});
      Tensor y = Tensor::empty({1024});
      medrepro::axpby(y, x, 2.0f, 0.0f);
      medrepro::axpby(x, Tensor::empty({1024}), 2.0f, 0.0f);
    });
    CHECK_MESSAGE(any_contains(messages, "SYNC-HAZARD-WRITE-AFTER-READ"), messages.size() << " message(s)");
  }
  SUBCASE("a kernel overwriting what a fill wrote") {
    const auto messages = messages_without_barriers([] {
      Tensor x = Tensor::full({1024}, 1.0f);
      medrepro::axpby(x, Tensor::empty({1024}), 2.0f, 0.0f);
    });
    CHECK_MESSAGE(any_contains(messages, "SYNC-HAZARD-WRITE-AFTER-WRITE"), messages.size() << " message(s)");
  }
  SUBCASE("such commands with the stream's barriers: no message") {
    medrepro::Stream& stream = context.stream();
    stream.synchronize();
    Tensor x = Tensor::full({1024}, 1.0f);
    Tensor y = Tensor::empty({1024});
    medrepro::axpby(y, x, 2.0f, 0.0f);
    medrepro::axpby(x, y, 2.0f, 0.0f);
    medrepro::copy_into(y, x);
    stream.synchronize();
    CHECK(context.take_validation_messages().empty());
  }
}
