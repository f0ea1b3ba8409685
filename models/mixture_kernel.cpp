// The logistic mixture's 256 log-probabilities for one sub-pixel on plain floats: what the
// incremental engine calls for every value it draws. The same formulas as the tensor code in
// logistic_mixture.cpp, arranged as loops over the 256 values that the compiler vectorizes:
// this file alone is built with -ffast-math -fopenmp-simd, so expf and logf become glibc's
// vector versions (libmvec), 8 values per call with AVX2. Every exponent is clamped, so no
// infinity ever arises (fast-math assumes none).
#include "mixture_kernel.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

namespace {

constexpr float kHalf = 1.f / 255.f;
constexpr float kStep = 2.f / 255.f;
constexpr float kMinDeltaF = 1e-5f;

inline float
clamped_exp (float x)
{
  return expf (std::min (std::max (x, -80.f), 80.f));
}

// torch::softplus: x above 20, else log(1 + e^x).
inline float
softplus (float x)
{
  return x > 20.f ? x : logf (1.f + clamped_exp (x));
}

inline float
sigmoid (float x)
{
  return 1.f / (1.f + clamped_exp (-x));
}

__attribute__ ((target_clones ("avx2", "default")))
void
component_table (float mu, float s, float log_w, float *lp)
{
  const float inv = expf (-s);
  const float log_width = logf (kStep);
#pragma omp simd
  for (int v = 0; v < 256; ++v) {
    const float centered = (float) v * kStep - 1.f - mu;
    const float plus_in = inv * (centered + kHalf), min_in = inv * (centered - kHalf);
    const float mid_in = inv * centered;
    const float log_cdf_plus = plus_in - softplus (plus_in);
    const float log_one_minus_cdf_min = -softplus (min_in);
    const float delta = min_in > 0.f ? sigmoid (-min_in) - sigmoid (-plus_in)
                                     : sigmoid (plus_in) - sigmoid (min_in);
    const float log_pdf_mid = mid_in - s - 2.f * softplus (mid_in) + log_width;
    const float inner = delta > kMinDeltaF ? logf (std::max (delta, 1e-12f)) : log_pdf_mid;
    lp[v] = (v == 0 ? log_cdf_plus : v == 255 ? log_one_minus_cdf_min : inner) + log_w;
  }
}

__attribute__ ((target_clones ("avx2", "default")))
void
log_sum_exp_columns (const float *table, int K, float *out)
{
  float top[256];
  std::copy (table, table + 256, top);
  for (int k = 1; k < K; ++k)
#pragma omp simd
    for (int v = 0; v < 256; ++v)
      top[v] = std::max (top[v], table[k * 256 + v]);
  float sum[256] = {};
  for (int k = 0; k < K; ++k)
#pragma omp simd
    for (int v = 0; v < 256; ++v)
      sum[v] += clamped_exp (table[k * 256 + v] - top[v]);
#pragma omp simd
  for (int v = 0; v < 256; ++v)
    out[v] = top[v] + logf (sum[v]);
}

}  // namespace

void
mixture_log_probs_at (const float *p, int c, const float *known, int K, float *out)
{
  float top = p[0];
  for (int k = 1; k < K; ++k)
    top = std::max (top, p[k]);
  float norm = 0.f;
  for (int k = 0; k < K; ++k)
    norm += expf (p[k] - top);
  const float log_norm = top + logf (norm);
  float table[kMaxMixtures * 256];
  for (int k = 0; k < K; ++k) {
    float mu = p[K + k];
    for (int prev = 0; prev < c; ++prev)
      mu += tanhf (p[3 * K + prev * K + k]) * known[prev];
    component_table (mu, std::max (p[2 * K + k], kMinLogScale), p[k] - log_norm, table + k * 256);
  }
  log_sum_exp_columns (table, K, out);
}

}  // namespace pixelrnn
