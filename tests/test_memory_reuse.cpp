// The host writes uploads into mapped staging memory, which the validation
// layer does not watch: only the allocator's rule (a freed range comes back once
// a fence shows the work recorded before the free has finished) keeps an upload
// from overwriting a range that an earlier copy has yet to read.
#include <doctest/doctest.h>

#include "core/device.h"
#include "core/memory.h"
#include "core/stream.h"
#include "core/tensor.h"

namespace {

bool overlaps(const medrepro::BufferRange& a, const medrepro::BufferRange& b) {
  return a.buffer == b.buffer && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

}  // namespace

TEST_CASE("a staging range freed while a copy may still read it comes back only after that copy has finished") {
  using medrepro::Buffer;
  using medrepro::MemoryKind;
  medrepro::Context& context = medrepro::Context::get();
  medrepro::Stream& stream = context.stream();
  stream.synchronize();
  // Two batches before the copy's, so that each of the two after it begins by
  // waiting for one of them (the stream keeps three in flight).
  for (int batch = 0; batch < 2; ++batch) {
    medrepro::Tensor::zeros({16});
    stream.submit();
  }

  medrepro::Tensor destination = medrepro::Tensor::empty({256});
  medrepro::BufferRange freed;
  {
    Buffer upload(destination.numel() * sizeof(float), MemoryKind::Staging);
    freed = upload.range();
    stream.copy(upload.range(), destination.range());
  }
  CHECK(context.staging_memory().stats().pending_free_bytes > 0);

  // Each wait returns the ranges freed before the batch it waited for; the
  // copy's batch may still be running.
  for (int batch = 0; batch < 2; ++batch) {
    stream.submit();
    medrepro::Tensor::zeros({16});
    Buffer next_upload(freed.bytes, MemoryKind::Staging);
    CHECK_MESSAGE(!overlaps(next_upload.range(), freed), "handed out again " << batch + 1 << " batch(es) later");
  }

  stream.synchronize();
  CHECK(context.staging_memory().stats().pending_free_bytes == 0);
}
