// Drawing one 8-bit value from 256 logits: the single place where randomness enters
// generation, shared by the naive reference sampler and the incremental engine so that both
// give the same values for the same seed.
#pragma once

#include <cstdint>
#include <random>

namespace pixelrnn {

struct SamplingOptions {
  double temperature = 1.0;  // 0 = greedy (most likely value); < 1 sharper, > 1 flatter
  uint64_t seed = 0;
};

// logits: 256 floats (any stride-1 buffer). Inverse-CDF draw in double precision.
int draw_value (const float *logits, double temperature, std::mt19937_64 &rng);

}  // namespace pixelrnn
