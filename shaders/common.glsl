// Shared by every kernel: the workgroup size comes from specialisation constants
// 0..2 (chosen per device by core/kernels.cpp, never hard-coded here).
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

// Kernels that write `target = value + beta * target` (gradients accumulating)
// also take beta != 0 as a specialisation constant, ACCUMULATES (core/kernels.h
// accumulates()): CPU drivers evaluate both sides of a select, so with a run-time
// test alone they would read the target even when beta is 0, a scalar load per
// lane. The host sets it at every launch (with beta = 0 the target may hold NaN).
#define DECLARE_ACCUMULATES(id) layout(constant_id = id) const bool ACCUMULATES = true

// Index of this invocation in a one-dimensional launch (core launch_linear),
// which spills into the grid's y dimension beyond maxComputeWorkGroupCount.x.
uint linear_index() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// Counter-based random numbers: the same (seed, index) gives the same value on
// every device, so dropout masks are recomputed in backward instead of stored.
uint hash_u32(uint x) {
  x ^= x >> 16; x *= 0x7feb352du;
  x ^= x >> 15; x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
float uniform01(uint seed, uint index) {
  return float(hash_u32(index ^ hash_u32(seed)) >> 8) * (1.0 / 16777216.0);
}

// n / d for n < 2^31, with (magic, shift) = core fast_divisor(d): no integer
// divide, which CPU drivers run as a loop of scalar divides.
uint fast_divide(uint n, uint magic, uint shift) {
  uint high, low;
  umulExtended(n, magic, high, low);
  return (high + n) >> shift;
}
