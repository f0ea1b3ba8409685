// The memory pool behind the elements' per-frame work: inside a scope, a freed block comes
// back for the next allocation of its size; outside, LibTorch's own allocator is untouched;
// blocks may be freed on other threads and after the pool is gone; results are unchanged.
#include "generation/memory_reuse.h"
#include "network/likelihood.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <thread>

using namespace pixelrnn;

TEST (MemoryReuse, AFreedBlockServesTheNextAllocationOfItsSize)
{
  MemoryPool pool;
  void *first = nullptr;
  {
    MemoryReuseScope scope (pool);
    auto a = torch::empty ({1 << 18});          // 1 MB
    first = a.data_ptr ();
  }
  EXPECT_EQ (pool.cached_bytes (), size_t (1) << 20);
  {
    MemoryReuseScope scope (pool);
    auto b = torch::empty ({1 << 18});
    EXPECT_EQ (b.data_ptr (), first);
    EXPECT_EQ (pool.cached_bytes (), 0u);
  }
  EXPECT_EQ (pool.reused (), 1u);
}

TEST (MemoryReuse, OutsideAScopeNothingIsPooled)
{
  MemoryPool pool;
  { auto a = torch::empty ({1 << 18}); }
  EXPECT_EQ (pool.cached_bytes (), 0u);
  {
    MemoryReuseScope scope (pool);
    std::thread other ([] { auto t = torch::empty ({1 << 18}); });   // another thread: not pooled
    other.join ();
  }
  EXPECT_EQ (pool.cached_bytes (), 0u);
}

TEST (MemoryReuse, BlocksMayOutliveTheScopeThePoolAndTheirThread)
{
  torch::Tensor kept, moved;
  {
    MemoryPool pool;
    MemoryReuseScope scope (pool);
    kept = torch::full ({1000}, 3.0f);
    moved = torch::full ({1000}, 4.0f);
  }
  // The pool is gone; its blocks are still valid and are freed when released, on any thread.
  EXPECT_EQ (kept.sum ().item<float> (), 3000.0f);
  std::thread other ([t = std::move (moved)] () mutable { EXPECT_EQ (t.sum ().item<float> (), 4000.0f); t = torch::Tensor (); });
  other.join ();
  kept = torch::Tensor ();
}

TEST (MemoryReuse, ModelOutputsAreTheSameInsideAScope)
{
  auto model = test::small_model (Architecture::PixelCNN, 3, 1, 1, Output::Mixture);
  model->eval ();
  torch::NoGradGuard no_grad;
  auto x = torch::randint (0, 256, {2, 3, 12, 10}, torch::kUInt8);
  auto expected = nll_map (model, x);
  MemoryPool pool;
  for (int k = 0; k < 3; ++k) {
    MemoryReuseScope scope (pool);
    EXPECT_TRUE (torch::equal (nll_map (model, x), expected)) << "pass " << k;
  }
  EXPECT_GT (pool.reused (), 0u);
}
