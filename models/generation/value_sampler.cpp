#include "value_sampler.h"

#include "generation/pointwise_kernels.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

int
draw_value (const float *logits, double temperature, std::mt19937_64 &rng)
{
  if (temperature <= 0.0)
    return static_cast<int> (std::max_element (logits, logits + 256) - logits);
  const float top = *std::max_element (logits, logits + 256);
  float p[256];
  const double total = shifted_exps (logits, 256, top, (float) (1.0 / temperature), p);
  // 53 random bits -> u in [0, 1); consumed once per value whatever the temperature.
  double u = (rng () >> 11) * (1.0 / 9007199254740992.0) * total;
  for (int v = 0; v < 256; ++v) {
    u -= p[v];
    if (u < 0.0)
      return v;
  }
  return 255;
}

int
mean_value (const float *logits)
{
  float p[256];
  const double total = shifted_exps (logits, 256, *std::max_element (logits, logits + 256), 1.f, p);
  double weighted = 0.0;
  for (int v = 0; v < 256; ++v)
    weighted += (double) p[v] * v;
  return std::clamp (static_cast<int> (std::lround (weighted / total)), 0, 255);
}

int
choose_value (const float *logits, const SamplingOptions &options, std::mt19937_64 &rng)
{
  return options.mean ? mean_value (logits) : draw_value (logits, options.temperature, rng);
}

}  // namespace pixelrnn
