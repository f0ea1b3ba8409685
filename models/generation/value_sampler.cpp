#include "value_sampler.h"

#include "generation/pointwise_kernels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pixelrnn {

namespace {

// Inverse CDF over non-negative weights summing to total.
int
draw_from (const float *p, double total, uint64_t random_bits)
{
  // The top 53 random bits -> u in [0, 1).
  double u = (random_bits >> 11) * (1.0 / 9007199254740992.0) * total;
  for (int v = 0; v < 256; ++v) {
    u -= p[v];
    if (u < 0.0)
      return v;
  }
  return 255;
}

int
mean_of (const float *p, double total)
{
  double weighted = 0.0;
  for (int v = 0; v < 256; ++v)
    weighted += (double) p[v] * v;
  return std::clamp (static_cast<int> (std::lround (weighted / total)), 0, 255);
}

}  // namespace

int
draw_value (const float *logits, double temperature, uint64_t random_bits)
{
  if (temperature <= 0.0)
    return first_max (logits, 256);
  const float top = logits[first_max (logits, 256)];
  float p[256];
  return draw_from (p, shifted_exps (logits, 256, top, (float) (1.0 / temperature), p),
      random_bits);
}

int
mean_value (const float *logits)
{
  float p[256];
  return mean_of (p, shifted_exps (logits, 256, logits[first_max (logits, 256)], 1.f, p));
}

bool
uses_random_bits (const SamplingOptions &options)
{
  return !options.mean && options.temperature > 0.0;
}

int
choose_value (const float *logits, const SamplingOptions &options, uint64_t random_bits)
{
  return options.mean ? mean_value (logits)
                      : draw_value (logits, options.temperature, random_bits);
}

int
choose_value (const float *logits, const SamplingOptions &options, std::mt19937_64 &rng)
{
  return choose_value (logits, options, uses_random_bits (options) ? rng () : 0);
}

bool
chooses_from_probabilities (const SamplingOptions &options)
{
  return options.mean || options.temperature <= 0.0 || options.temperature == 1.0;
}

int
choose_value_from_probabilities (const float *p, double total, const SamplingOptions &options,
    uint64_t random_bits)
{
  if (options.mean)
    return mean_of (p, total);
  if (options.temperature <= 0.0)
    return first_max (p, 256);
  if (options.temperature != 1.0)
    throw std::logic_error ("choose_value_from_probabilities: temperature must be 0 or 1");
  return draw_from (p, total, random_bits);
}

}  // namespace pixelrnn
