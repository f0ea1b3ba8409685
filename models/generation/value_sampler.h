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
  // Take each value's expectation under its distribution, rounded (the posterior mean: the
  // choice that minimises squared error, so the best for PSNR); temperature is ignored.
  bool mean = false;
};

// logits: 256 floats (any stride-1 buffer). Inverse-CDF draw in double precision from the
// top 53 of random_bits (unused when greedy).
int draw_value (const float *logits, double temperature, uint64_t random_bits);
// The rounded expectation of the value under softmax(logits).
int mean_value (const float *logits);
// Whether the options' choice draws (takes random bits) rather than picking the most likely
// value or the mean.
bool uses_random_bits (const SamplingOptions &options);
// What the options say to take from these logits: mean_value or draw_value.
int choose_value (const float *logits, const SamplingOptions &options, uint64_t random_bits);
// The same with the next word of rng as random bits, taken only where uses_random_bits: one
// word per drawn value, so that the engine can take each value's word in raster order
// whatever order it computes the values in.
int choose_value (const float *logits, const SamplingOptions &options, std::mt19937_64 &rng);

// Whether the options' choice can be made from probabilities alone (greedy, temperature 1,
// the mean), so that a mixture output need not take 256 logs per value.
bool chooses_from_probabilities (const SamplingOptions &options);
// choose_value for 256 probabilities p summing to total, where chooses_from_probabilities:
// the same value as choose_value takes from their logs.
int choose_value_from_probabilities (const float *p, double total,
    const SamplingOptions &options, uint64_t random_bits);

}  // namespace pixelrnn
