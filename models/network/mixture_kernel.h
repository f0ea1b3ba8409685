// The logistic mixture on plain floats, without LibTorch (logistic_mixture.h has the model).
#pragma once

namespace pixelrnn {

constexpr float kMinLogScale = -7.f;
constexpr int kMaxMixtures = 32;

inline int
mixture_params_per_channel (int mixtures, int channels)
{
  return mixtures * (3 + channels - 1);
}

// The same distribution as mixture_log_probs for one sub-pixel: what the incremental engine
// calls per value. params: this channel's P floats; known: the scaled values of channels
// 0..channel-1 of the pixel; mixtures <= kMaxMixtures; out: 256 log-probabilities.
void mixture_log_probs_at (const float *params, int channel, const float *known, int mixtures,
    float *out);

}  // namespace pixelrnn
