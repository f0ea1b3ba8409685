// Process-wide allocator tuning for programs that own their process (the CLI, benchmarks);
// the plugin never calls it, since its host's allocator is not ours to change.
#pragma once

namespace pixelrnn {

// By default glibc returns every freed block over 128 kB to the kernel and takes fresh
// zeroed pages for the next one: a training step's activations and gradients (tens of MB)
// then cost millions of page faults. Keeping freed blocks in the heap for reuse cut
// training's page faults 40x and its system time from a third of the run to ~1%
// (docs/benchmarks.md). PIXELRNN_SYSTEM_MALLOC=1 skips it, so benchmarks can measure both.
void keep_freed_memory_for_reuse ();

}  // namespace pixelrnn
