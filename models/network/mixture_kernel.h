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
// The same distribution's log-probability of one value (0-255): what scoring a known image
// needs, without the other 255.
float mixture_log_prob_of (const float *params, int channel, const float *known, int mixtures,
    int value);
// The same distribution's 256 probabilities, for drawing without logs; returns their sum
// (1 up to rounding and the PixelCNN++ centre-density bins). Each component's bins where it
// adds under 1e-9 are left out, 2e-9 per component at most in all: the logs of such values
// would be wrong, so the caller must only draw, greedily, at temperature 1 or the mean.
float mixture_probs_at (const float *params, int channel, const float *known, int mixtures,
    float *out);

}  // namespace pixelrnn
