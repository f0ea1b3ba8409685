// The incremental engine's products: y[r, 0:m] += x[r, 0:K] * W[0:K, 0:m] for a few rows r
// (one position, best-of's candidates, or a run of context positions) and one colour group's
// m outputs. Too small for a BLAS (it would thread or pad them into being slower), so these
// are our own register-blocked loops, one build per vector width: AVX-512 (16 floats),
// AVX2+FMA (8) and baseline x86-64, the widest the processor runs chosen at load time.
#pragma once

#include <vector>

namespace pixelrnn {

struct ProductKernel {
  const char *name;
  int lanes;  // floats per vector
  // W's columns are padded with zeros to a multiple of `pad` floats (half a vector); W's
  // rows are `ldw` floats apart (a multiple of pad).
  int pad;
  // rows x rows of x (ldx apart) into y (ldy apart); the first m of W's ldw columns are kept.
  // x's rows may overlap (ldx < K): the engine reads neighbouring positions' features in place.
  void (*multiply) (const float *W, int ldw, const float *x, int ldx, int rows, int K,
      float *y, int ldy, int m);
  // The same with max(0, x) for x.
  void (*multiply_relu) (const float *W, int ldw, const float *x, int ldx, int rows, int K,
      float *y, int ldy, int m);
};

// The fastest kernel this processor runs ($PIXELRNN_ENGINE_KERNEL=name picks another that it
// runs, for comparisons).
const ProductKernel &best_product_kernel ();
// Every kernel this processor runs, the portable 16-lane build included (tests compare them).
std::vector<const ProductKernel *> runnable_product_kernels ();

}  // namespace pixelrnn
