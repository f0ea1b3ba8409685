// The logistic mixture's scalar helpers shared by the fast-math kernels (mixture_kernel.cpp,
// scoring/frame_kernels.cpp): both files are built with -ffast-math, which assumes no
// infinity, so every exponent is clamped.
#pragma once

#include <algorithm>
#include <cmath>

namespace pixelrnn::mixture_math {

constexpr float kHalf = 1.f / 255.f;     // half a bin on the [-1, 1] scale
constexpr float kStep = 2.f / 255.f;     // a bin
constexpr float kMinDeltaF = 1e-5f;      // below it a bin's mass is its centre density x width

inline float
clamped_exp (float x)
{
  return expf (std::min (std::max (x, -80.f), 80.f));
}

// torch::softplus: x above 20, else log(1 + e^x). Both sides are computed and one chosen, so
// loops using it have no branches and vectorize.
inline float
softplus (float x)
{
  const float soft = logf (1.f + clamped_exp (x));
  return x > 20.f ? x : soft;
}

}  // namespace pixelrnn::mixture_math
