#pragma once
// Compute pipelines built from the embedded SPIR-V, cached by shader name and
// specialisation constants, and the launch helpers every op uses.
//
// Shader conventions (shaders/*.comp):
//   - bindings 0..n-1 of set 0 are storage buffers, in the order the op passes them;
//   - sizes and flags arrive as one push-constant block;
//   - local_size_{x,y,z}_id = 0, 1, 2: the workgroup size is chosen here, per device;
//   - further specialisation constants, if any, take ids 3, 4, ...
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/device.h"
#include "core/error.h"
#include "core/stream.h"
#include "core/vk_api.h"

namespace medrepro {

struct Kernel {
  std::string name;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  std::vector<BindingKind> bindings;
  uint32_t push_bytes = 0;
  std::array<uint32_t, 3> local_size{1, 1, 1};
};

class Kernels {
 public:
  explicit Kernels(Context& context);
  ~Kernels();
  Kernels(const Kernels&) = delete;
  Kernels& operator=(const Kernels&) = delete;

  const Kernel& get(std::string_view shader, std::span<const BindingKind> bindings, uint32_t push_bytes,
                    std::array<uint32_t, 3> local_size, std::span<const uint32_t> extra_constants = {});
  size_t size() const { return kernels_.size(); }

 private:
  VkDescriptorSetLayout set_layout(const std::vector<BindingKind>& bindings);
  VkPipelineLayout pipeline_layout(const std::vector<BindingKind>& bindings, uint32_t push_bytes);

  Context& context_;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  std::map<std::vector<BindingKind>, VkDescriptorSetLayout> set_layouts_;
  std::map<std::pair<std::vector<BindingKind>, uint32_t>, VkPipelineLayout> pipeline_layouts_;
  std::map<std::pair<std::string, std::vector<uint32_t>>, std::unique_ptr<Kernel>, std::less<>> kernels_;
};

// The SPIR-V of shaders/<name>.comp, embedded at build time.
std::span<const uint32_t> shader_spirv(std::string_view name);

// Workgroup size for one-dimensional kernels on this device: a multiple of the
// subgroup size, within maxComputeWorkGroupInvocations.
uint32_t linear_workgroup_size();

// Records shader `name` over `count` invocations laid out in one dimension; the
// shader reads its index with linear_index() from shaders/common.glsl, which
// folds a second grid dimension in when count exceeds maxComputeWorkGroupCount.x.
template <class Push>
void launch_linear(std::string_view name, std::initializer_list<Access> bindings, const Push& push, uint64_t count,
                   std::initializer_list<uint32_t> constants = {});

// Records shader `name` with an explicit grid of workgroups.
template <class Push>
void launch_grid(std::string_view name, std::initializer_list<Access> bindings, const Push& push,
                 std::array<uint32_t, 3> local_size, std::array<uint32_t, 3> groups,
                 std::initializer_list<uint32_t> constants = {});

std::array<uint32_t, 3> linear_groups(uint64_t count, uint32_t local_size);

// Division by d without an integer divide in the shader (CPU drivers turn a
// per-lane divide into a loop of scalar divides): for every n < 2^31,
// n / d == fast_divide(n, magic, shift) of shaders/common.glsl (the round-up
// method of Granlund & Montgomery, 1994). Laid out like a GLSL uvec2 in a push
// constant block (8-byte aligned).
struct alignas(8) FastDivisor {
  uint32_t magic, shift;
};
FastDivisor fast_divisor(uint32_t d);

// Whether `range` can be read as a texel buffer of `kind` on this device
// (texel buffers supported, within maxTexelBufferElements, and starting at a
// multiple of minTexelBufferOffsetAlignment).
bool fits_texel_buffer(const BufferRange& range, BindingKind kind);

// Whether `count` floats in `range` can be processed four at a time: a whole
// number of vec4s, readable as an RGBA32F texel buffer (memory-bound kernels'
// _vec4 variants).
inline bool fits_vec4_texels(const BufferRange& range, int64_t count) {
  return count % 4 == 0 && fits_texel_buffer(range, BindingKind::TexelRGBA32F);
}

// While one exists, fits_texel_buffer answers no: tests use it to run the
// storage-buffer fallbacks of kernels that read through texel buffers.
class ForceStorageReads {
 public:
  ForceStorageReads();
  ~ForceStorageReads();
  ForceStorageReads(const ForceStorageReads&) = delete;
  ForceStorageReads& operator=(const ForceStorageReads&) = delete;
};

template <class Push>
void launch_grid(std::string_view name, std::initializer_list<Access> bindings, const Push& push,
                 std::array<uint32_t, 3> local_size, std::array<uint32_t, 3> groups,
                 std::initializer_list<uint32_t> constants) {
  static_assert(sizeof(Push) % 4 == 0, "push constants are 4-byte words");
  Context& context = Context::get();
  BindingKind kinds[16];
  if (bindings.size() > std::size(kinds)) fail("launch_grid: more than 16 bindings");
  size_t i = 0;
  for (const Access& access : bindings) kinds[i++] = access.kind;
  const Kernel& kernel =
      context.kernels().get(name, std::span<const BindingKind>(kinds, bindings.size()), sizeof(Push), local_size,
                            std::span<const uint32_t>(constants.begin(), constants.size()));
  context.stream().dispatch(kernel, std::span<const Access>(bindings.begin(), bindings.size()), &push,
                            sizeof(Push), groups);
}

template <class Push>
void launch_linear(std::string_view name, std::initializer_list<Access> bindings, const Push& push, uint64_t count,
                   std::initializer_list<uint32_t> constants) {
  const uint32_t local = linear_workgroup_size();
  launch_grid(name, bindings, push, {local, 1, 1}, linear_groups(count, local), constants);
}

// The ACCUMULATES specialisation constant of kernels that add beta * target
// (shaders/common.glsl DECLARE_ACCUMULATES), for a launch with this beta.
inline uint32_t accumulates(float beta) { return beta != 0.0f ? 1u : 0u; }

inline uint32_t ceil_div(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

}  // namespace medrepro
