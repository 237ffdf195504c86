#pragma once
// Checkpoints: parameters, optimiser state and run metadata in one file.
//
// Format (little-endian), version 1:
//   "MEDRCKPT" | u32 version | u64 payload bytes | payload | u32 CRC-32 of payload
//   payload = u32 #metadata, (u32 len, key, u32 len, value)*
//           | u32 #tensors,  (u32 len, name, u32 rank, i64 dims[rank], f32 values[])*
// Writes are atomic: a temporary file beside the target is written, fsync'ed and
// renamed over it, then the directory is fsync'ed. A crash leaves the old file.
// Reads check the magic, version, sizes and CRC, and name what is wrong.
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

namespace nn {
class Module;
}
class Optimizer;

struct HostTensor {
  Shape shape;
  std::vector<float> values;
};

struct Checkpoint {
  std::map<std::string, std::string> metadata;
  std::map<std::string, HostTensor> tensors;
};

inline constexpr uint32_t kCheckpointVersion = 1;

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
Checkpoint load_checkpoint(const std::string& path);

// Model parameters as "model.<name>", buffers (running statistics) as
// "buffer.<name>", the optimiser's device state under its own names (e.g.
// "sgd.momentum.<name>") and its host state in the metadata.
Checkpoint capture_training_state(nn::Module& model, const Optimizer* optimizer);
// Copies the state back to the device; a missing tensor or a shape mismatch is an
// Error naming the tensor and both shapes, and nothing is changed in that case.
void restore_training_state(const Checkpoint& checkpoint, nn::Module& model, Optimizer* optimizer);
// Loads one module's weights from another model's checkpoint: each parameter and
// buffer `name` of `module` from the source model's `source_prefix + name` (e.g.
// a segmentation network's "encoder." into a classifier's feature extractor).
// All or nothing, as above; returns how many tensors were loaded.
size_t load_module_state(const Checkpoint& checkpoint, const std::string& source_prefix, nn::Module& module);

}  // namespace medrepro
