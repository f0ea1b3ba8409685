#include "memory_reuse.h"

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace pixelrnn {

namespace {

constexpr size_t kAlignment = 64;   // what LibTorch's own CPU allocator gives

// Blocks are kept by rounded size, so that nearly equal requests share them: a multiple of
// 4 kB, or of an eighth of the size for large blocks (at most 12.5% slack).
size_t
rounded (size_t n)
{
  size_t step = 4096;
  while (step * 8 < n)
    step *= 2;
  return (n + step - 1) / step * step;
}

thread_local MemoryPool::Impl *current_pool = nullptr;

}  // namespace

struct MemoryPool::Impl {
  std::mutex mutex;
  std::multimap<size_t, void *> free_blocks;   // rounded size -> block
  size_t cached = 0, max_cached = 0, reused = 0;
  bool closed = false;
  std::atomic<long> references{1};             // the pool itself + one per block in use

  // Whole blocks (header included) of `size` usable bytes after the header.
  void *take (size_t size);
  void give_back (void *block, size_t size);
  void release_reference ()
  {
    if (references.fetch_sub (1) == 1)
      delete this;
  }
};

namespace {

// Every block starts with a header (one alignment unit) saying where it goes when freed, so
// that one deleter serves pooled and plain blocks: LibTorch's raw_allocate requires the data
// pointer to be the context and the deleter to be the allocator's raw_deleter.
struct Header {
  MemoryPool::Impl *pool;   // nullptr: a plain block, freed to the C library
  size_t size;              // the block's size without the header
};
static_assert (sizeof (Header) <= kAlignment, "the header fits one alignment unit");

Header *
header_of (void *data)
{
  return reinterpret_cast<Header *> (static_cast<char *> (data) - kAlignment);
}

void
release (void *data)
{
  if (!data)
    return;
  Header *h = header_of (data);
  if (MemoryPool::Impl *pool = h->pool) {
    pool->give_back (h, h->size);
    pool->release_reference ();
  } else {
    std::free (h);
  }
}

// Installed once as LibTorch's CPU allocator (the one it replaces allocates the same way:
// 64-byte aligned blocks from the C library): pooled inside a MemoryReuseScope, plain
// everywhere else.
class RoutingAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate (size_t n) const override
  {
    const c10::Device cpu (c10::DeviceType::CPU);
    if (n == 0)
      return {nullptr, nullptr, &release, cpu};
    MemoryPool::Impl *pool = current_pool;
    const size_t size = pool ? rounded (n) : n;
    void *block = pool ? pool->take (size) : std::aligned_alloc (kAlignment, rounded_to_alignment (size));
    if (!block)
      throw std::bad_alloc ();
    auto *h = static_cast<Header *> (block);
    h->pool = pool;
    h->size = size;
    if (pool)
      pool->references.fetch_add (1);
    void *data = static_cast<char *> (block) + kAlignment;
    return {data, data, &release, cpu};
  }

  c10::DeleterFnPtr raw_deleter () const override { return &release; }

 private:
  static size_t rounded_to_alignment (size_t n) { return (n + kAlignment + kAlignment - 1) / kAlignment * kAlignment; }
};

void
install_routing_allocator ()
{
  static std::once_flag once;
  std::call_once (once, [] {
    // Never freed: tensors anywhere in the process may still point at it.
    static RoutingAllocator *routing = new RoutingAllocator ();
    c10::SetCPUAllocator (routing, /* priority: the host's own choice, if any, wins */ 0);
  });
}

}  // namespace

void *
MemoryPool::Impl::take (size_t size)
{
  {
    std::lock_guard<std::mutex> lock (mutex);
    auto it = free_blocks.find (size);
    if (it != free_blocks.end ()) {
      void *data = it->second;
      free_blocks.erase (it);
      cached -= size;
      ++reused;
      return data;
    }
  }
  return std::aligned_alloc (kAlignment, size + kAlignment);   // nullptr: the caller throws
}

void
MemoryPool::Impl::give_back (void *block, size_t size)
{
  {
    std::lock_guard<std::mutex> lock (mutex);
    if (!closed && cached + size <= max_cached) {
      free_blocks.emplace (size, block);
      cached += size;
      return;
    }
  }
  std::free (block);
}

MemoryPool::MemoryPool (size_t max_cached_bytes) : impl_ (new Impl)
{
  impl_->max_cached = max_cached_bytes;
  install_routing_allocator ();
}

MemoryPool::~MemoryPool ()
{
  {
    std::lock_guard<std::mutex> lock (impl_->mutex);
    impl_->closed = true;
    for (auto &block : impl_->free_blocks)
      std::free (block.second);
    impl_->free_blocks.clear ();
    impl_->cached = 0;
  }
  impl_->release_reference ();
}

size_t
MemoryPool::cached_bytes () const
{
  std::lock_guard<std::mutex> lock (impl_->mutex);
  return impl_->cached;
}

size_t
MemoryPool::reused () const
{
  std::lock_guard<std::mutex> lock (impl_->mutex);
  return impl_->reused;
}

MemoryReuseScope::MemoryReuseScope (MemoryPool &pool) : previous_ (current_pool)
{
  // PIXELRNN_NO_MEMORY_REUSE=1: scopes do nothing, so that benchmarks can measure both ways.
  static const bool disabled = std::getenv ("PIXELRNN_NO_MEMORY_REUSE") != nullptr;
  if (!disabled)
    current_pool = pool.impl_;
}

MemoryReuseScope::~MemoryReuseScope ()
{
  current_pool = previous_;
}

}  // namespace pixelrnn
