#include "value_sampler.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

int
draw_value (const float *logits, double temperature, std::mt19937_64 &rng)
{
  if (temperature <= 0.0)
    return static_cast<int> (std::max_element (logits, logits + 256) - logits);
  double top = *std::max_element (logits, logits + 256);
  double p[256], total = 0.0;
  for (int v = 0; v < 256; ++v)
    total += p[v] = std::exp ((logits[v] - top) / temperature);
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
  double top = *std::max_element (logits, logits + 256);
  double total = 0.0, weighted = 0.0;
  for (int v = 0; v < 256; ++v) {
    const double p = std::exp (logits[v] - top);
    total += p;
    weighted += p * v;
  }
  return std::clamp (static_cast<int> (std::lround (weighted / total)), 0, 255);
}

int
choose_value (const float *logits, const SamplingOptions &options, std::mt19937_64 &rng)
{
  return options.mean ? mean_value (logits) : draw_value (logits, options.temperature, rng);
}

}  // namespace pixelrnn
