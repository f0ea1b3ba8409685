// Built with -ffast-math -fopenmp-simd (models/meson.build): the loops over a row's pixels
// vectorize, and expf/logf become glibc's vector functions. Every exponent is clamped, so no
// infinity arises (fast math assumes none). The mixture's formulas are mixture_kernel.cpp's
// mixture_log_prob_of, computed for a row of pixels at once.
#include "scoring/frame_kernels.h"

#include "network/mixture_kernel.h"
#include "network/mixture_math.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

namespace {

using namespace mixture_math;

constexpr int kChunk = 64;        // pixels per pass of the mixture loops (stack arrays)

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
add_taps (float *__restrict out, const float *__restrict src, float w, int x0, int x1, int dx,
    bool relu)
{
  if (relu) {
#pragma omp simd
    for (int x = x0; x < x1; ++x)
      out[x] += w * std::max (src[x + dx], 0.f);
  } else {
#pragma omp simd
    for (int x = x0; x < x1; ++x)
      out[x] += w * src[x + dx];
  }
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
mixture_chunk (const float *params, int stride, int c, const float *const *known,
    const float *values, int K, int n, float *nll)
{
  alignas (64) float top[kChunk], log_norm[kChunk], terms[kMaxMixtures][kChunk];
#pragma omp simd
  for (int x = 0; x < n; ++x)
    top[x] = params[x];
  for (int k = 1; k < K; ++k)
#pragma omp simd
    for (int x = 0; x < n; ++x)
      top[x] = std::max (top[x], params[k * stride + x]);
  alignas (64) float norm[kChunk] = {};
  for (int k = 0; k < K; ++k)
#pragma omp simd
    for (int x = 0; x < n; ++x)
      norm[x] += clamped_exp (params[k * stride + x] - top[x]);
#pragma omp simd
  for (int x = 0; x < n; ++x)
    log_norm[x] = top[x] + logf (norm[x]);
  const float log_width = logf (kStep);
  for (int k = 0; k < K; ++k) {
    const float *logit = params + k * stride, *mean = params + (K + k) * stride;
    const float *log_scale = params + (2 * K + k) * stride;
    alignas (64) float mu[kChunk];
#pragma omp simd
    for (int x = 0; x < n; ++x)
      mu[x] = mean[x];
    for (int prev = 0; prev < c; ++prev) {
      const float *coeff = params + (3 * K + prev * K + k) * stride;
#pragma omp simd
      for (int x = 0; x < n; ++x)
        mu[x] += tanhf (coeff[x]) * known[prev][x];
    }
#pragma omp simd
    for (int x = 0; x < n; ++x) {
      const float s = std::max (log_scale[x], kMinLogScale), inv = expf (-s);
      const float v = values[x], centered = v * kStep - 1.f - mu[x];
      const float plus_in = inv * (centered + kHalf), min_in = inv * (centered - kHalf);
      const float mid_in = inv * centered;
      const float sig_plus = 1.f / (1.f + clamped_exp (-plus_in));
      const float sig_min = 1.f / (1.f + clamped_exp (-min_in));
      const float sig_neg_plus = 1.f / (1.f + clamped_exp (plus_in));
      const float sig_neg_min = 1.f / (1.f + clamped_exp (min_in));
      const float delta = min_in > 0.f ? sig_neg_min - sig_neg_plus : sig_plus - sig_min;
      const float inner = delta > kMinDeltaF ? logf (std::max (delta, 1e-12f))
                                             : mid_in - s - 2.f * softplus (mid_in) + log_width;
      const float lp = v < 0.5f ? plus_in - softplus (plus_in)
                                : (v > 254.5f ? -softplus (min_in) : inner);
      terms[k][x] = lp + logit[x] - log_norm[x];
    }
  }
#pragma omp simd
  for (int x = 0; x < n; ++x)
    top[x] = terms[0][x];
  for (int k = 1; k < K; ++k)
#pragma omp simd
    for (int x = 0; x < n; ++x)
      top[x] = std::max (top[x], terms[k][x]);
  alignas (64) float sum[kChunk] = {};
  for (int k = 0; k < K; ++k)
#pragma omp simd
    for (int x = 0; x < n; ++x)
      sum[x] += clamped_exp (terms[k][x] - top[x]);
#pragma omp simd
  for (int x = 0; x < n; ++x)
    nll[x] -= top[x] + logf (sum[x]);
}

}  // namespace

void
layer_row (const PlanLayer &layer, const float *in, const float *residual, long plane, int y,
    int width, float *out, long out_stride)
{
  for (int o = 0; o < layer.out_channels; ++o) {
    float *row = out + (long) o * out_stride;
    if (residual)
      std::copy_n (residual + o * plane + (long) y * width, width, row);
    else
      std::fill_n (row, width, 0.f);
    const float b = layer.bias[o];
    for (int x = 0; x < width; ++x)
      row[x] += b;
    for (const Tap &t : layer.taps[o]) {
      if (y + t.dy < 0)
        continue;  // zero padding above the frame
      const float *src = in + t.in * plane + (long) (y + t.dy) * width;
      add_taps (row, src, t.w, std::max (0, -t.dx), std::min (width, width - t.dx), t.dx,
          layer.relu_input);
    }
    if (layer.relu_output)
      for (int x = 0; x < width; ++x)
        row[x] = std::max (row[x], 0.f);
  }
}

void
mixture_nll_row (const float *params, int stride, int c, const float *const *known,
    const float *values, int mixtures, int width, float *nll)
{
  const float *known_chunk[4];
  for (int x0 = 0; x0 < width; x0 += kChunk) {
    for (int p = 0; p < c; ++p)
      known_chunk[p] = known[p] + x0;
    mixture_chunk (params + x0, stride, c, known_chunk, values + x0, std::min (mixtures, kMaxMixtures),
        std::min (kChunk, width - x0), nll + x0);
  }
}

}  // namespace pixelrnn
