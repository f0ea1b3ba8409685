#include "step_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pixelrnn {

namespace {

#define INLINE inline __attribute__ ((always_inline))

// GCC's vector extensions: the same source becomes zmm, ymm or pairs of xmm registers
// depending on the target of the function it is inlined into.
template <int V> struct Vec {
  typedef float type __attribute__ ((vector_size (V * sizeof (float))));
};

// Always inlined, so the vector return's ABI (what -Wpsabi warns of) never shows.
#pragma GCC diagnostic ignored "-Wpsabi"

template <int V>
INLINE typename Vec<V>::type
load (const float *p)
{
  typename Vec<V>::type v;
  __builtin_memcpy (&v, p, sizeof v);
  return v;
}

template <int V>
INLINE void
store (float *p, const typename Vec<V>::type &v)
{
  __builtin_memcpy (p, &v, sizeof v);
}

// y[0:valid] of R rows += x * W over NV vectors of columns. A partial chunk (valid < NV * V,
// the group's last) goes through a buffer so that nothing past y's valid columns is touched.
template <int V, int R, int NV>
INLINE void
block (const float *W, int ldw, const float *x, int ldx, int K, float *y, int ldy, int valid)
{
  using vec = typename Vec<V>::type;
  vec acc[R][NV];
  float buffer[NV * V];
  const bool whole = valid >= NV * V;
  for (int r = 0; r < R; ++r) {
    const float *src = y + (size_t) r * ldy;
    if (!whole) {
      std::fill_n (buffer, NV * V, 0.f);
      std::copy_n (src, valid, buffer);
      src = buffer;
    }
    for (int v = 0; v < NV; ++v)
      acc[r][v] = load<V> (src + v * V);
  }
  for (int k = 0; k < K; ++k) {
    float xs[R];
    bool any = false;
    for (int r = 0; r < R; ++r) {
      xs[r] = x[(size_t) r * ldx + k];
      any = any || xs[r] != 0.f;
    }
    if (!any)
      continue;
    const float *w = W + (size_t) k * ldw;
    vec wv[NV];
    for (int v = 0; v < NV; ++v)
      wv[v] = load<V> (w + v * V);
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v)
        acc[r][v] += xs[r] * wv[v];
  }
  for (int r = 0; r < R; ++r) {
    float *dst = whole ? y + (size_t) r * ldy : buffer;
    for (int v = 0; v < NV; ++v)
      store<V> (dst + v * V, acc[r][v]);
    if (!whole)
      std::copy_n (buffer, valid, y + (size_t) r * ldy);
  }
}

// All m columns of R rows, in chunks of at most MAXNV vectors.
template <int V, int R, int MAXNV>
INLINE void
columns (const float *W, int ldw, const float *x, int ldx, int K, float *y, int ldy, int m)
{
  for (int c = 0; c < m;) {
    const int left = m - c, nv = std::min (MAXNV, (left + V - 1) / V);
    const int valid = std::min (left, nv * V);
    switch (nv) {
      case 1: block<V, R, 1> (W + c, ldw, x, ldx, K, y + c, ldy, valid); break;
      case 2: block<V, R, 2> (W + c, ldw, x, ldx, K, y + c, ldy, valid); break;
      case 3: block<V, R, 3> (W + c, ldw, x, ldx, K, y + c, ldy, valid); break;
      default: block<V, R, MAXNV> (W + c, ldw, x, ldx, K, y + c, ldy, valid); break;
    }
    c += nv * V;
  }
}

// Rows four at a time (each weight vector loaded once feeds four accumulators: 12 in
// registers), then one at a time with up to four vectors of columns.
template <int V>
INLINE void
multiply_rows (const float *W, int ldw, const float *x, int ldx, int rows, int K, float *y,
    int ldy, int m)
{
  int r = 0;
  for (; r + 4 <= rows; r += 4)
    columns<V, 4, 3> (W, ldw, x + (size_t) r * ldx, ldx, K, y + (size_t) r * ldy, ldy, m);
  for (; r < rows; ++r)
    columns<V, 1, 4> (W, ldw, x + (size_t) r * ldx, ldx, K, y + (size_t) r * ldy, ldy, m);
}

#define KERNEL_ARGS const float *W, int ldw, const float *x, int ldx, int rows, int K, float *y, \
    int ldy, int m
#define KERNEL_CALL W, ldw, x, ldx, rows, K, y, ldy, m

__attribute__ ((target ("avx512f,avx2,fma"))) void
multiply_avx512 (KERNEL_ARGS)
{
  multiply_rows<16> (KERNEL_CALL);
}

__attribute__ ((target ("avx2,fma"))) void
multiply_avx2 (KERNEL_ARGS)
{
  multiply_rows<8> (KERNEL_CALL);
}

void
multiply_generic (KERNEL_ARGS)
{
  multiply_rows<8> (KERNEL_CALL);
}

// The 16-lane arithmetic on any processor: lets tests check the AVX-512 kernel's blocking
// and padding where no AVX-512 unit exists.
void
multiply_generic16 (KERNEL_ARGS)
{
  multiply_rows<16> (KERNEL_CALL);
}

const ProductKernel kAvx512{"avx512", 16, multiply_avx512};
const ProductKernel kAvx2{"avx2", 8, multiply_avx2};
const ProductKernel kGeneric{"generic", 8, multiply_generic};
const ProductKernel kGeneric16{"generic16", 16, multiply_generic16};

}  // namespace

std::vector<const ProductKernel *>
runnable_product_kernels ()
{
  std::vector<const ProductKernel *> kernels;
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    kernels.push_back (&kAvx512);
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    kernels.push_back (&kAvx2);
  kernels.push_back (&kGeneric);
  kernels.push_back (&kGeneric16);
  return kernels;
}

const ProductKernel &
best_product_kernel ()
{
  static const ProductKernel *const chosen = [] {
    const auto kernels = runnable_product_kernels ();
    const char *wanted = std::getenv ("PIXELRNN_ENGINE_KERNEL");
    if (!wanted || !*wanted)
      return kernels.front ();
    std::string names;
    for (const auto *k : kernels) {
      if (wanted == std::string (k->name))
        return k;
      names += std::string (names.empty () ? "" : ", ") + k->name;
    }
    throw std::invalid_argument (std::string ("PIXELRNN_ENGINE_KERNEL=") + wanted +
        ": this processor runs " + names);
  }();
  return *chosen;
}

}  // namespace pixelrnn
