// Memory reuse for code that runs the same shapes again and again (an element scoring every
// frame, a training thread) in a process that is not ours, where glibc's allocator cannot be
// tuned: it hands blocks over 128 kB back to the kernel on free and takes fresh zeroed pages
// for the next one, so every frame pays thousands of page faults. While a MemoryReuseScope is
// alive on a thread, LibTorch CPU tensors that thread allocates come from a MemoryPool and go
// back to it when freed (on any thread). Everything else, other threads and this one outside
// a scope, allocate as LibTorch's own allocator does (64-byte aligned blocks from the C
// library). PIXELRNN_NO_MEMORY_REUSE=1 turns scopes off, for benchmarks.
#pragma once

#include <cstddef>
#include <memory>

namespace pixelrnn {

class MemoryPool {
 public:
  // Keeps at most `max_cached_bytes` of freed blocks for reuse.
  explicit MemoryPool (size_t max_cached_bytes = size_t (512) << 20);
  ~MemoryPool ();   // frees the cached blocks; blocks still in use are freed when released
  MemoryPool (const MemoryPool &) = delete;
  MemoryPool &operator= (const MemoryPool &) = delete;

  size_t cached_bytes () const;   // freed, kept for reuse
  size_t reused () const;         // allocations served from the cache so far

  struct Impl;

 private:
  friend class MemoryReuseScope;
  Impl *impl_;   // reference-counted: outlives the pool while its blocks are in use
};

class MemoryReuseScope {
 public:
  explicit MemoryReuseScope (MemoryPool &pool);
  ~MemoryReuseScope ();
  MemoryReuseScope (const MemoryReuseScope &) = delete;
  MemoryReuseScope &operator= (const MemoryReuseScope &) = delete;

 private:
  MemoryPool::Impl *previous_;
};

}  // namespace pixelrnn
