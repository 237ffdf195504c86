// A lane's walk over one channel of a tensor viewed as [outer, channels, inner]:
// the channel's values e = first, first + stride, ... (e = o * inner + i) at
// element (o * channels + channel) * inner + i. The (o, i) pair advances by
// adding, so that no value costs an integer division (CPU drivers run a
// per-lane divide as a loop of scalar divides). Used by the batch_norm reductions.
struct ChannelWalk {
  uint o, i, o_step, i_step;
};

ChannelWalk channel_walk(uint first, uint stride, uint inner) {
  return ChannelWalk(first / inner, first % inner, stride / inner, stride % inner);
}

uint walk_element(ChannelWalk w, uint channel, uint channels, uint inner) {
  return (w.o * channels + channel) * inner + w.i;
}

void walk_step(inout ChannelWalk w, uint inner) {
  w.i += w.i_step;
  w.o += w.o_step;
  if (w.i >= inner) {
    w.i -= inner;
    w.o += 1u;
  }
}

// Reads of X (and DY) through a texel buffer, the vector gather of CPU drivers,
// or, in the _storage variants, a storage buffer (inputs beyond maxTexelBufferElements).
#ifdef STORAGE_READS
#define DECLARE_READ(binding_index, block, name) \
  layout(std430, binding = binding_index) readonly buffer block { float name[]; }
#define READ(name, index) name[index]
#else
#define DECLARE_READ(binding_index, block, name) layout(binding = binding_index) uniform samplerBuffer name
#define READ(name, index) texelFetch(name, int(index)).r
#endif
