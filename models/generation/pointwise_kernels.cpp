#include "pointwise_kernels.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

namespace {

// Exponents are clamped, so that no infinity ever arises (fast math assumes none); past
// +-40 the results below are exact in float all the same.
inline float
sigmoid (float x)
{
  return 1.f / (1.f + expf (std::min (std::max (-x, -40.f), 40.f)));
}

inline float
tanh_of (float x)
{
  return 1.f - 2.f / (1.f + expf (std::min (std::max (2.f * x, -40.f), 40.f)));
}

}  // namespace

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
lstm_cells (const float *gates, int n, const float *prev_cell, float *cell, float *state)
{
  const float *o = gates, *f = gates + n, *i = gates + 2 * n, *g = gates + 3 * n;
#pragma omp simd
  for (int u = 0; u < n; ++u) {
    const float c = (prev_cell ? sigmoid (f[u]) * prev_cell[u] : 0.f) +
        sigmoid (i[u]) * tanh_of (g[u]);
    cell[u] = c;
    state[u] = sigmoid (o[u]) * tanh_of (c);
  }
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
gated_units (const float *a, const float *b, int n, float *out)
{
#pragma omp simd
  for (int t = 0; t < n; ++t)
    out[t] = a[t] * sigmoid (b[t]);
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
float
shifted_exps (const float *x, int n, float shift, float scale, float *out)
{
  float total = 0.f;
#pragma omp simd reduction(+ : total)
  for (int t = 0; t < n; ++t) {
    out[t] = expf (std::max ((x[t] - shift) * scale, -80.f));
    total += out[t];
  }
  return total;
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
int
first_max (const float *x, int n)
{
  // Blocks of 16: each block's largest as a vector reduction, then the first block holding
  // the largest of all is searched element by element.
  constexpr int kBlock = 16;
  float top = x[0];
  int best_block = 0;
  for (int b = 0; b < n; b += kBlock) {
    const int e = std::min (n, b + kBlock);
    float block_top = x[b];
#pragma omp simd reduction(max : block_top)
    for (int t = b; t < e; ++t)
      block_top = std::max (block_top, x[t]);
    if (block_top > top) {
      top = block_top;
      best_block = b;
    }
  }
  int t = best_block;
  while (t < n - 1 && x[t] != top)
    ++t;
  return t;
}

}  // namespace pixelrnn
