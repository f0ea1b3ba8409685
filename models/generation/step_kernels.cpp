#include "step_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace pixelrnn {

namespace {

#define INLINE inline __attribute__ ((always_inline))
#define INLINE_LAMBDA __attribute__ ((always_inline))

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

// y[0:valid] of R rows += x * W over NV vectors (and NH halves) of columns. A partial chunk
// (valid < its width, the group's last) goes through a buffer so that nothing past y's valid
// columns is touched.
// S interleaved partial sums over k give S * R * NV independent chains of FMAs: a few rows
// of a few vectors would otherwise wait on the FMA latency, not on the loads. Inputs that
// are zero (about half, after a ReLU) are multiplied all the same: in a fill their pattern
// changes with every call, and a branch per input mispredicted so often that skipping them
// ran at a third of this speed. RELU reads max(0, x) instead of x: the engine's products read
// their inputs in place from its feature maps, and several apply a ReLU on the way in.
// The first V / 2 lanes of a vector (no instruction: the narrower register aliases them).
template <int V>
INLINE typename Vec<V / 2>::type
low_half (const typename Vec<V>::type &v)
{
  typename Vec<V / 2>::type h;
  __builtin_memcpy (&h, &v, sizeof h);
  return h;
}

// The first n floats (0 <= n < 64) from src to dst as fixed-size copies, which compile to a
// few moves: a group's last, partial chunk (20 outputs are 20 of 24 columns of work) costs
// that, not calls to memset and memcpy.
INLINE void
copy_floats (float *dst, const float *src, int n)
{
  int at = 0;
  for (int size : {32, 16, 8, 4, 2, 1})
    if (n & size) {
      switch (size) {
        case 32: __builtin_memcpy (dst + at, src + at, 32 * sizeof (float)); break;
        case 16: __builtin_memcpy (dst + at, src + at, 16 * sizeof (float)); break;
        case 8: __builtin_memcpy (dst + at, src + at, 8 * sizeof (float)); break;
        case 4: __builtin_memcpy (dst + at, src + at, 4 * sizeof (float)); break;
        case 2: __builtin_memcpy (dst + at, src + at, 2 * sizeof (float)); break;
        default: dst[at] = src[at]; break;
      }
      at += size;
    }
}

template <bool RELU>
INLINE float
input (float x)
{
  return RELU ? (x > 0.f ? x : 0.f) : x;
}

template <int V, int R, int NV, int NH, bool RELU>
INLINE void
block (const float *W, int ldw, const float *x, int ldx, int K, float *y, int ldy, int valid)
{
  // Partial sums enough for about 12 (16-float vectors: 32 registers) or 8 (8-float: 16)
  // independent chains of FMAs.
  constexpr int S = std::max (1, (V == 16 ? 12 : 8) / (R * (NV + NH)));
  using vec = typename Vec<V>::type;
  using half = typename Vec<V / 2>::type;
  constexpr int width = NV * V + NH * V / 2;
  vec acc[S][R][NV > 0 ? NV : 1];
  half tail[S][R][NH > 0 ? NH : 1];
  float buffer[width];
  const bool whole = valid >= width;
  for (int r = 0; r < R; ++r) {
    const float *src = y + (size_t) r * ldy;
    if (!whole) {
      for (float &b : buffer)
        b = 0.f;
      copy_floats (buffer, src, valid);
      src = buffer;
    }
    for (int v = 0; v < NV; ++v) {
      acc[0][r][v] = load<V> (src + v * V);
      for (int p = 1; p < S; ++p)
        acc[p][r][v] = vec{};
    }
    for (int v = 0; v < NH; ++v) {
      tail[0][r][v] = load<V / 2> (src + NV * V);
      for (int p = 1; p < S; ++p)
        tail[p][r][v] = half{};
    }
  }
  const auto step = [&] (int p, int k) INLINE_LAMBDA {
    const float *w = W + (size_t) k * ldw;
    // Each row's input broadcast once, each weight vector loaded once: left to itself the
    // compiler may reload a weight vector for every row.
    vec xb[R];
    for (int r = 0; r < R; ++r)
      xb[r] = vec{} + input<RELU> (x[(size_t) r * ldx + k]);
    for (int v = 0; v < NV; ++v) {
      const vec wv = load<V> (w + v * V);
      for (int r = 0; r < R; ++r)
        acc[p][r][v] += xb[r] * wv;
    }
    for (int v = 0; v < NH; ++v) {
      const half wv = load<V / 2> (w + NV * V);
      for (int r = 0; r < R; ++r)
        tail[p][r][v] += low_half<V> (xb[r]) * wv;
    }
  };
  int k = 0;
  for (; k + S <= K; k += S)
    for (int p = 0; p < S; ++p)
      step (p, k + p);
  for (; k < K; ++k)
    step (0, k);
  for (int p = 1; p < S; ++p)
    for (int r = 0; r < R; ++r) {
      for (int v = 0; v < NV; ++v)
        acc[0][r][v] += acc[p][r][v];
      for (int v = 0; v < NH; ++v)
        tail[0][r][v] += tail[p][r][v];
    }
  for (int r = 0; r < R; ++r) {
    float *dst = whole ? y + (size_t) r * ldy : buffer;
    for (int v = 0; v < NV; ++v)
      store<V> (dst + v * V, acc[0][r][v]);
    for (int v = 0; v < NH; ++v)
      store<V / 2> (dst + NV * V, tail[0][r][v]);
    if (!whole)
      copy_floats (y + (size_t) r * ldy, buffer, valid);
  }
}

// All m columns of R rows, in chunks of at most three vectors. A group's last chunk ends
// with a half vector where that covers it: W's columns are padded to half vectors, so a
// group of 20 outputs costs 24 columns of work with 16-float vectors, not 32.
template <int V, int R, bool RELU>
INLINE void
columns (const float *W, int ldw, const float *x, int ldx, int K, float *y, int ldy, int m)
{
  for (int c = 0; c < m;) {
    const int left = m - c;
    int full = std::min (3, left / V), halves = 0;
    if (full < 3 && left % V != 0) {
      if (left % V <= V / 2)
        halves = 1;
      else
        ++full;
    }
    const int width = full * V + halves * V / 2, valid = std::min (left, width);
    const float *w = W + c;
    float *out = y + c;
    switch (full * 2 + halves) {
      case 1: block<V, R, 0, 1, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
      case 2: block<V, R, 1, 0, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
      case 3: block<V, R, 1, 1, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
      case 4: block<V, R, 2, 0, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
      case 5: block<V, R, 2, 1, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
      default: block<V, R, 3, 0, RELU> (w, ldw, x, ldx, K, out, ldy, valid); break;
    }
    c += width;
  }
}

// Rows four at a time (three with 8-float vectors: four rows' accumulators, inputs and
// weights need more than AVX2's 16 registers), each weight vector loaded once feeding every
// row; then the last three, two or one together: a wave of hole pixels is often that small.
// Weights stream from L2 for a single row; every row more that shares them comes at a
// fraction of the cost.
template <int V, bool RELU>
INLINE void
multiply_rows (const float *W, int ldw, const float *x, int ldx, int rows, int K, float *y,
    int ldy, int m)
{
  constexpr int RB = V == 16 ? 4 : 3;
  int r = 0;
  for (; r + RB <= rows; r += RB)
    columns<V, RB, RELU> (W, ldw, x + (size_t) r * ldx, ldx, K, y + (size_t) r * ldy, ldy, m);
  const float *xr = x + (size_t) r * ldx;
  float *yr = y + (size_t) r * ldy;
  switch (rows - r) {
    case 3: columns<V, 3, RELU> (W, ldw, xr, ldx, K, yr, ldy, m); break;
    case 2: columns<V, 2, RELU> (W, ldw, xr, ldx, K, yr, ldy, m); break;
    case 1: columns<V, 1, RELU> (W, ldw, xr, ldx, K, yr, ldy, m); break;
    default: break;
  }
}

#define KERNEL_ARGS const float *W, int ldw, const float *x, int ldx, int rows, int K, float *y, \
    int ldy, int m
#define KERNEL_CALL W, ldw, x, ldx, rows, K, y, ldy, m

// Each build twice: inputs as they are, and through a ReLU.
#define KERNELS(NAME, V, ATTRIBUTE) \
  ATTRIBUTE void NAME (KERNEL_ARGS) { multiply_rows<V, false> (KERNEL_CALL); } \
  ATTRIBUTE void NAME##_relu (KERNEL_ARGS) { multiply_rows<V, true> (KERNEL_CALL); }

KERNELS (multiply_avx512, 16, __attribute__ ((target ("avx512f,avx2,fma"))))
KERNELS (multiply_avx2, 8, __attribute__ ((target ("avx2,fma"))))
KERNELS (multiply_generic, 8, )
// The 16-lane arithmetic on any processor: lets tests check the AVX-512 kernel's blocking
// and padding where no AVX-512 unit exists.
KERNELS (multiply_generic16, 16, )

const ProductKernel kAvx512{"avx512", 16, 8, multiply_avx512, multiply_avx512_relu};
const ProductKernel kAvx2{"avx2", 8, 4, multiply_avx2, multiply_avx2_relu};
const ProductKernel kGeneric{"generic", 8, 4, multiply_generic, multiply_generic_relu};
const ProductKernel kGeneric16{"generic16", 16, 8, multiply_generic16, multiply_generic16_relu};

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
