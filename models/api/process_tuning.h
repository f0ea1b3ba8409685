// Process-wide tuning for programs that own their process (the CLI, benchmarks); the plugin
// never calls it, since its host's allocator and BLAS are not ours to change.
#pragma once

namespace pixelrnn {

// By default glibc returns every freed block over 128 kB to the kernel and takes fresh
// zeroed pages for the next one: a training step's activations and gradients (tens of MB)
// then cost millions of page faults. Keeping freed blocks in the heap for reuse cut
// training's page faults 40x and its system time from a third of the run to ~1%
// (docs/benchmarks.md). PIXELRNN_SYSTEM_MALLOC=1 skips it, so benchmarks can measure both.
void keep_freed_memory_for_reuse ();

// Debian's LibTorch calls OpenBLAS (pthreads build) for the products its own kernels do not
// cover: single-image convolutions with kernels of 3 or less, which is every step of Row LSTM
// and Diagonal BiLSTM inference. OpenBLAS then wakes a pool of its own, one thread per core,
// whose workers spin after each call while LibTorch's OpenMP threads want the same cores: the
// recurrent forward passes ran 2-5x slower at 2 threads than at 1 (docs/benchmarks.md). With
// OpenBLAS on one thread, LibTorch's threads are the only parallelism and 2 threads beat 1.
// Leaves an OPENBLAS_NUM_THREADS or GOTO_NUM_THREADS the user set alone; does nothing when the BLAS is not OpenBLAS. Returns whether it changed anything.
bool leave_parallelism_to_libtorch ();

// OpenBLAS's thread count, when the BLAS is OpenBLAS (false otherwise): benchmarks measure
// dense torch::mm, which is OpenBLAS alone, with as many BLAS threads as LibTorch threads.
bool set_openblas_threads (int threads);

}  // namespace pixelrnn
