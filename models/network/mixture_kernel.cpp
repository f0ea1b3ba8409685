// The logistic mixture's 256 log-probabilities for one sub-pixel on plain floats: what the
// incremental engine calls for every value it draws. The same formulas as the tensor code in
// logistic_mixture.cpp, arranged as loops over the 256 values that the compiler vectorizes:
// this file alone is built with -ffast-math -fopenmp-simd, so expf and logf become glibc's
// vector versions (libmvec), 8 values per call with AVX2. Every exponent is clamped, so no
// infinity ever arises (fast-math assumes none).
#include "mixture_kernel.h"

#include "network/mixture_math.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

namespace {

using namespace mixture_math;

// What mixture_probs_at may leave out per component: far below what float sums of the
// 256 probabilities (about 1) resolve.
constexpr float kNegligibleMass = 1e-9f;

// One component's 256 log-probabilities, log_w added. Value v's bin has edges e_v and e_v+1
// (e = (x - mu) / scale), so the 257 edges' exponentials are computed once and shared by
// the two bins they bound: one exp per value where the formula below needs five. Each value
// then takes one log: the bin's probability, or (where that is under kMinDeltaF and float
// cancellation would spoil it) the density at the bin's centre, written as log(X) + Y with
// X in [1/4, 1] so that far tails stay exact in log space.
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
component_table (float mu, float s, float log_w, float *lp)
{
  const float inv = expf (-s);
  const float log_width = logf (kStep);
  float t[257], root[257];                      // e^-edge and e^-edge/2
#pragma omp simd
  for (int v = 0; v < 257; ++v)
    t[v] = clamped_exp (-inv * ((float) v * kStep - 1.f - mu - kHalf));
  // Kept, not taken in the loop below: there fast math turns sqrt(a) * sqrt(b) into
  // sqrt(a * b), and a * b can underflow to zero. (A loop of its own: in the one above it
  // stops the vectorizer.)
#pragma omp simd
  for (int v = 0; v < 257; ++v)
    root[v] = sqrtf (t[v]);
#pragma omp simd
  for (int v = 0; v < 256; ++v) {
    const float centered = (float) v * kStep - 1.f - mu;
    const float min_in = inv * (centered - kHalf), mid_in = inv * centered;
    // sigmoid(edge) = 1 / (1 + t), sigmoid(-edge) = t / (1 + t). In the upper tail the
    // difference of the small sigmoid(-edge)s keeps its precision.
    const float low0 = 1.f / (1.f + t[v]), low1 = 1.f / (1.f + t[v + 1]);
    const float delta = min_in > 0.f ? t[v] * low0 - t[v + 1] * low1 : low1 - low0;
    // e^-|mid| from the edges' e^-edge/2 (clamped edges only reach here with X ~ 1).
    const float product = root[v] * root[v + 1];
    const float e_abs = std::min (mid_in > 0.f ? product : 1.f / product, 1.f);
    const float X = 1.f / ((1.f + e_abs) * (1.f + e_abs));
    const float Y = -std::fabs (mid_in) - s + log_width;
    const bool exact = delta > kMinDeltaF;
    lp[v] = logf (std::max (exact ? delta : X, kMinDeltaF)) + (exact ? 0.f : Y) + log_w;
  }
  // The end values take the whole tails (outside the loop: a select on v stops the
  // vectorizer).
  const float first_plus = inv * (-1.f - mu + kHalf), last_min = inv * (1.f - mu - kHalf);
  lp[0] = first_plus - softplus (first_plus) + log_w;
  lp[255] = -softplus (last_min) + log_w;
}

// The same component's probabilities (the bin's, or the density at its centre where that
// is under kMinDeltaF, as above), times w, added to prob for the inner values 1..254 within
// [v0, v1): no log per value. Underflows in the far tails, which the caller checks for. The
// loops run over whole vectors, [v0, v1) widened to multiples of 16 within 0..256 (the
// values it adds beyond are exact all the same; the end values, which take the tails, are
// add_ends'), plus the one edge past them: a range's scalar head and tail took as long as
// its vectors.
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
add_component (float mu, float inv, float w, float *prob, int v0 = 1, int v1 = 255)
{
  const int a = v0 & ~15, b = std::min ((v1 + 15) & ~15, 256);
  const float centre_density = w * inv * kStep;     // e^Y = e^-|mid| * e^-s * width
  // Per edge: e^-edge, sigmoid(edge) = 1 / (1 + e^-edge), e^-edge/2 and e^edge/2, so that
  // each value below takes one division. (Separate loops, as in component_table.)
  alignas (64) float t[257], low[257], root[257], root_inv[257];
#pragma omp simd
  for (int v = a; v <= b; ++v)
    t[v] = clamped_exp (-inv * ((float) v * kStep - 1.f - mu - kHalf));
#pragma omp simd
  for (int v = a; v <= b; ++v)
    low[v] = 1.f / (1.f + t[v]);
#pragma omp simd
  for (int v = a; v <= b; ++v)
    root[v] = sqrtf (t[v]);
#pragma omp simd
  for (int v = a; v <= b; ++v)
    root_inv[v] = 1.f / root[v];
#pragma omp simd
  for (int v = a; v < b; ++v) {
    const float centered = (float) v * kStep - 1.f - mu;
    const float min_in = inv * (centered - kHalf), mid_in = inv * centered;
    const float delta = min_in > 0.f ? t[v] * low[v] - t[v + 1] * low[v + 1] : low[v + 1] - low[v];
    const float e_abs = std::min (mid_in > 0.f ? root[v] * root[v + 1]
        : root_inv[v] * root_inv[v + 1], 1.f);
    const float X = 1.f / ((1.f + e_abs) * (1.f + e_abs));
    const float value = delta > kMinDeltaF ? w * delta : centre_density * X * e_abs;
    prob[v] += v >= 1 && v <= 254 ? value : 0.f;
  }
}

// The K components' end values (0 and 255 take the tails below and above), added to prob.
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
void
add_ends (const float *mu, const float *inv, const float *w, int K, float *prob)
{
  float first = 0.f, last = 0.f;
#pragma omp simd reduction(+ : first, last)
  for (int k = 0; k < K; ++k) {
    const float first_plus = inv[k] * (-1.f - mu[k] + kHalf);
    const float last_min = inv[k] * (1.f - mu[k] - kHalf);
    first += w[k] / (1.f + clamped_exp (-first_plus));
    last += w[k] / (1.f + clamped_exp (last_min));
  }
  prob[0] += first;
  prob[255] += last;
}

// log(prob) where every value's probability is at least `floor` (returns true); false, and
// out untouched, where some value's is not.
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
bool
logs_above (const float *prob, float floor, float *out)
{
  float least = prob[0];
#pragma omp simd reduction(min : least)
  for (int v = 0; v < 256; ++v)
    least = std::min (least, prob[v]);
  if (!(least >= floor))
    return false;
#pragma omp simd
  for (int v = 0; v < 256; ++v)
    out[v] = logf (prob[v]);
  return true;
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
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

// The K components' weights (normalised), means and log-scales for channel c; returns
// log of the weights' softmax normaliser, so that log w_k = p[k] - log_norm.
float
component_params (const float *p, int c, const float *known, int K, float *w, float *mu,
    float *scale)
{
  float top = p[0];
  for (int k = 1; k < K; ++k)
    top = std::max (top, p[k]);
  // The K weights, means and scales as short vector loops (glibc's vector expf and tanhf):
  // as scalar calls they took a sixth of the log-probabilities' time.
  float norm = 0.f;
#pragma omp simd reduction(+ : norm)
  for (int k = 0; k < K; ++k) {
    w[k] = expf (p[k] - top);
    norm += w[k];
  }
#pragma omp simd
  for (int k = 0; k < K; ++k) {
    w[k] /= norm;
    mu[k] = p[K + k];
    scale[k] = std::max (p[2 * K + k], kMinLogScale);
  }
  for (int prev = 0; prev < c; ++prev)
#pragma omp simd
    for (int k = 0; k < K; ++k)
      mu[k] += tanhf (p[3 * K + prev * K + k]) * known[prev];
  return top + logf (norm);
}

// 1 / scale for each component.
void
inverse_scales (const float *scale, int K, float *inv)
{
#pragma omp simd
  for (int k = 0; k < K; ++k)
    inv[k] = expf (-scale[k]);
}

}  // namespace

void
mixture_log_probs_at (const float *p, int c, const float *known, int K, float *out)
{
  float w[kMaxMixtures], mu[kMaxMixtures], scale[kMaxMixtures], inv[kMaxMixtures];
  const float log_norm = component_params (p, c, known, K, w, mu, scale);
  inverse_scales (scale, K, inv);
  // Summed as probabilities, one log per value. Where some value's probability falls under
  // 1e-30 (far tails of sharp components), float would lose it: then log space throughout.
  float prob[256] = {};
  for (int k = 0; k < K; ++k)
    add_component (mu[k], inv[k], w[k], prob);
  add_ends (mu, inv, w, K, prob);
  if (logs_above (prob, 1e-30f, out))
    return;
  float table[kMaxMixtures * 256];
  for (int k = 0; k < K; ++k)
    component_table (mu[k], scale[k], p[k] - log_norm, table + k * 256);
  log_sum_exp_columns (table, K, out);
}

float
mixture_probs_at (const float *p, int c, const float *known, int K, float *out)
{
  float w[kMaxMixtures], mu[kMaxMixtures], scale[kMaxMixtures], inv[kMaxMixtures];
  component_params (p, c, known, K, w, mu, scale);
  inverse_scales (scale, K, inv);
  // A logistic's mass beyond distance d of its mean is under e^-d/s, and so is each bin's
  // whose near edge is that far (the centre-density bins too): past
  // d = s log(w / kNegligibleMass) this component adds under kNegligibleMass in all. Each
  // component's values lo..hi-1, as floats (a mean far outside [-1, 1] must not overflow an
  // int).
  float lo[kMaxMixtures], hi[kMaxMixtures];
#pragma omp simd
  for (int k = 0; k < K; ++k) {
    const float reach =
        logf (std::max (w[k], kNegligibleMass) / kNegligibleMass) / inv[k] + kHalf;
    lo[k] = std::min (std::max (std::floor ((1.f + mu[k] - reach) / kStep), 1.f), 255.f);
    hi[k] = std::min (std::max (std::ceil ((1.f + mu[k] + reach) / kStep) + 1.f, 1.f), 255.f);
  }
  std::fill (out, out + 256, 0.f);
  for (int k = 0; k < K; ++k)
    if (w[k] >= kNegligibleMass && lo[k] < hi[k])
      add_component (mu[k], inv[k], w[k], out, (int) lo[k], (int) hi[k]);
  add_ends (mu, inv, w, K, out);
  float total = 0.f;
#pragma omp simd reduction(+ : total)
  for (int v = 0; v < 256; ++v)
    total += out[v];
  return total;
}

float
mixture_log_prob_of (const float *p, int c, const float *known, int K, int value)
{
  float w[kMaxMixtures], mu[kMaxMixtures], scale[kMaxMixtures], terms[kMaxMixtures] = {};
  const float log_norm = component_params (p, c, known, K, w, mu, scale);
  const float x = (float) value * kStep - 1.f, log_width = logf (kStep);
  // component_log_probs' formulas (logistic_mixture.cpp) at one value.
  for (int k = 0; k < K; ++k) {
    const float inv = expf (-scale[k]), centered = x - mu[k];
    const float plus_in = inv * (centered + kHalf), min_in = inv * (centered - kHalf);
    const float mid_in = inv * centered;
    float lp;
    if (value == 0) {
      lp = plus_in - softplus (plus_in);
    } else if (value == 255) {
      lp = -softplus (min_in);
    } else {
      const auto sigmoid = [] (float y) { return 1.f / (1.f + clamped_exp (-y)); };
      const float delta = min_in > 0.f ? sigmoid (-min_in) - sigmoid (-plus_in)
                                       : sigmoid (plus_in) - sigmoid (min_in);
      lp = delta > kMinDeltaF ? logf (std::max (delta, 1e-12f))
                              : mid_in - scale[k] - 2.f * softplus (mid_in) + log_width;
    }
    terms[k] = lp + p[k] - log_norm;
  }
  float top = terms[0];
  for (int k = 1; k < K; ++k)
    top = std::max (top, terms[k]);
  float sum = 0.f;
  for (int k = 0; k < K; ++k)
    sum += clamped_exp (terms[k] - top);
  return top + logf (sum);
}

}  // namespace pixelrnn
