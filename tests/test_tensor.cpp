#include <doctest/doctest.h>

#include "core/autograd.h"
#include "core/device.h"
#include "core/error.h"
#include "core/memory.h"
#include "core/stream.h"
#include "core/tensor.h"
#include "testing.h"

using medrepro::Context;
using medrepro::Tensor;

TEST_CASE("upload and download round-trip, including odd sizes") {
  for (size_t count : {1u, 7u, 1031u, 65537u}) {
    auto values = testing::random_values(count, static_cast<uint32_t>(count));
    Tensor t = Tensor::from_host({static_cast<int64_t>(count)}, values);
    CHECK(t.to_host() == values);
  }
}

TEST_CASE("full and zeros fill on the device") {
  CHECK(Tensor::full({3, 5}, 2.5f).to_host() == std::vector<float>(15, 2.5f));
  CHECK(Tensor::zeros({4}).to_host() == std::vector<float>(4, 0.0f));
}

TEST_CASE("axpby writes alpha*x + beta*y, and beta 0 ignores garbage") {
  auto x = testing::random_values(101, 1);
  auto y = testing::random_values(101, 2);
  Tensor tx = Tensor::from_host({101}, x);
  Tensor ty = Tensor::from_host({101}, y);
  medrepro::axpby(ty, tx, 2.0f, -0.5f);
  std::vector<double> expected(101);
  for (size_t i = 0; i < 101; ++i) expected[i] = 2.0 * x[i] - 0.5 * y[i];
  testing::check_close(ty.to_host(), expected, 1e-6, 1e-6, "axpby");

  Tensor garbage = Tensor::full({101}, std::nanf(""));
  medrepro::axpby(garbage, tx, 1.0f, 0.0f);
  testing::check_close(garbage.to_host(), testing::to_double(x), 0, 0, "axpby beta=0");
}

TEST_CASE("reshape is a view whose gradient flows back") {
  Tensor x = testing::random_tensor({2, 3, 4}, 3);
  testing::check_gradients([](const std::vector<Tensor>& in) { return in[0].reshape({6, -1}); }, {x});
  CHECK(x.flatten().shape() == medrepro::Shape{2, 12});
  CHECK_THROWS_AS(x.reshape({5, 5}), medrepro::Error);
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
  Tensor x = testing::random_tensor({5}, 4);
  x.set_requires_grad(true);
  Tensor ones = Tensor::full({5}, 1.0f);
  x.reshape({5}).backward(ones);
  x.reshape({5}).backward(ones);
  CHECK(x.grad().to_host() == std::vector<float>(5, 2.0f));
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("a tensor over maxStorageBufferRange is refused with the limit named") {
  const uint64_t limit = Context::get().limits().max_storage_buffer_range;
  const int64_t too_many = static_cast<int64_t>(limit / 4 + 1);
  try {
    Tensor::empty({too_many});
    FAIL("expected an error");
  } catch (const medrepro::Error& e) {
    CHECK(std::string(e.what()).find("maxStorageBufferRange") != std::string::npos);
  }
}

TEST_CASE("many small tensors share a few memory blocks, and freed memory is reused") {
  const auto before = Context::get().device_memory().stats();
  for (int round = 0; round < 50; ++round) {
    std::vector<Tensor> tensors;
    for (int i = 0; i < 100; ++i) tensors.push_back(Tensor::full({257}, float(i)));
  }
  Context::get().stream().synchronize();
  const auto after = Context::get().device_memory().stats();
  CHECK(after.blocks <= before.blocks + 1);
}

TEST_CASE("batched submission: many dispatches, few submits, barriers only on dependencies") {
  Context& context = Context::get();
  context.stream().synchronize();
  const auto before = context.stream().stats();
  std::vector<Tensor> independent;
  Tensor source = Tensor::full({64}, 1.0f);
  for (int i = 0; i < 20; ++i) {
    independent.push_back(Tensor::empty({64}));
    medrepro::axpby(independent.back(), source, 1.0f, 0.0f);
  }
  Tensor chain = Tensor::zeros({64});
  for (int i = 0; i < 20; ++i) medrepro::axpby(chain, source, 1.0f, 1.0f);
  CHECK(chain.to_host() == std::vector<float>(64, 20.0f));
  const auto after = context.stream().stats();
  CHECK(after.dispatches - before.dispatches == 40);
  CHECK(after.submits - before.submits <= 2);
  // 20 independent writes after one fill need one barrier; the chain needs one per step.
  CHECK(after.barriers - before.barriers <= 23);
}

TEST_CASE("the validation layer is live: an invalid call is reported") {
  Context& context = Context::get();
  if (!context.validation_enabled()) return;
  VkBufferCreateInfo invalid{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  invalid.size = 0;  // VUID-VkBufferCreateInfo-size-00912
  invalid.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  VkBuffer buffer = VK_NULL_HANDLE;
  if (medrepro::vk::vkCreateBuffer(context.device(), &invalid, nullptr, &buffer) == VK_SUCCESS && buffer) {
    medrepro::vk::vkDestroyBuffer(context.device(), buffer, nullptr);
  }
  CHECK_FALSE(context.take_validation_messages().empty());
}
