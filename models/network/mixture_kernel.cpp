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

// torch::softplus: x above 20, else log(1 + e^x). Both sides are computed and one chosen, so
// the loop has no branches and vectorizes.
inline float
softplus (float x)
{
  const float soft = logf (1.f + clamped_exp (x));
  return x > 20.f ? x : soft;
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
    const float right = sigmoid (-min_in) - sigmoid (-plus_in);
    const float left = sigmoid (plus_in) - sigmoid (min_in);
    const float delta = min_in > 0.f ? right : left;
    const float log_pdf_mid = mid_in - s - 2.f * softplus (mid_in) + log_width;
    const float log_delta = logf (std::max (delta, 1e-12f));
    lp[v] = (delta > kMinDeltaF ? log_delta : log_pdf_mid) + log_w;
  }
  // The end values take the whole tails (outside the loop: a select on v stops the
  // vectorizer).
  const float first_plus = inv * (-1.f - mu + kHalf), last_min = inv * (1.f - mu - kHalf);
  lp[0] = first_plus - softplus (first_plus) + log_w;
  lp[255] = -softplus (last_min) + log_w;
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
