#include "logistic_mixture.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <torch/nn/functional/activation.h>

namespace pixelrnn {

namespace {

// Half a bin on the [-1, 1] scale, and log of the bin width there.
constexpr double kHalfBin = 1.0 / 255.0;
const double kLogBinWidth = std::log (2.0 / 255.0);
// Below this mass the bin's probability is the density at its centre times its width: the
// difference of two nearly equal CDFs is all rounding there.
constexpr double kMinDelta = 1e-5;

// log P(bin) of one logistic (mean folded into `centered` = value - mean, log-scale `s`);
// `lowest`/`highest` mark the values 0 and 255 whose bins take the whole tail.
torch::Tensor
component_log_probs (const torch::Tensor &centered, const torch::Tensor &s,
    const torch::Tensor &lowest, const torch::Tensor &highest)
{
  auto inv = torch::exp (-s);
  auto plus_in = inv * (centered + kHalfBin);
  auto min_in = inv * (centered - kHalfBin);
  auto mid_in = inv * centered;
  auto log_cdf_plus = plus_in - torch::softplus (plus_in);
  auto log_one_minus_cdf_min = -torch::softplus (min_in);
  // sigma(a) - sigma(b) loses everything when both are near 1; the mirrored form does not.
  auto delta = torch::where (min_in > 0, torch::sigmoid (-min_in) - torch::sigmoid (-plus_in),
      torch::sigmoid (plus_in) - torch::sigmoid (min_in));
  auto log_pdf_mid = mid_in - s - 2.0 * torch::softplus (mid_in) + kLogBinWidth;
  auto inner = torch::where (delta > kMinDelta, torch::log (delta.clamp_min (1e-12)), log_pdf_mid);
  return torch::where (lowest, log_cdf_plus, torch::where (highest, log_one_minus_cdf_min, inner));
}

// Mean of channel c's components: the free mean plus the known channels' linear terms.
// params [B, C, P, H, W] -> [B, K, H, W]; `known` [B, C, H, W] scaled values.
torch::Tensor
channel_means (const torch::Tensor &params, const torch::Tensor &known, int c, int K)
{
  auto p = params.select (1, c);
  auto mu = p.narrow (1, K, K);
  for (int prev = 0; prev < c; ++prev)
    mu = mu + torch::tanh (p.narrow (1, 3 * K + prev * K, K)) * known.select (1, prev).unsqueeze (1);
  return mu;
}

void
check_shapes (const torch::Tensor &params, const torch::Tensor &x, int K)
{
  if (params.dim () != 5 || x.dim () != 4 || params.size (0) != x.size (0) ||
      params.size (1) != x.size (1) || params.size (3) != x.size (2) || params.size (4) != x.size (3) ||
      params.size (2) != mixture_params_per_channel (K, (int) x.size (1)))
    throw std::invalid_argument ("logistic mixture: parameters and image do not match");
}

}  // namespace

torch::Tensor
mixture_log_probs (const torch::Tensor &params, const torch::Tensor &x_scaled, int K)
{
  check_shapes (params, x_scaled, K);
  const int C = (int) params.size (1);
  auto values = torch::arange (256, params.options ()).view ({1, 1, 256, 1, 1});
  auto scaled = values * (2.0 / 255.0) - 1.0;
  auto lowest = values == 0, highest = values == 255;
  std::vector<torch::Tensor> channels;
  for (int c = 0; c < C; ++c) {
    auto p = params.select (1, c);
    auto mu = channel_means (params, x_scaled, c, K).unsqueeze (2);       // [B, K, 1, H, W]
    auto s = p.narrow (1, 2 * K, K).clamp_min (kMinLogScale).unsqueeze (2);
    auto lp = component_log_probs (scaled - mu, s, lowest, highest);        // [B, K, 256, H, W]
    auto log_w = torch::log_softmax (p.narrow (1, 0, K), 1).unsqueeze (2);
    channels.push_back (torch::logsumexp (lp + log_w, 1));                   // [B, 256, H, W]
  }
  return torch::stack (channels, 1);
}

torch::Tensor
mixture_nll (const torch::Tensor &params, const torch::Tensor &x, int K)
{
  check_shapes (params, x, K);
  const int C = (int) params.size (1);
  auto xs = x.to (params.scalar_type ()) * (2.0 / 255.0) - 1.0;
  std::vector<torch::Tensor> channels;
  for (int c = 0; c < C; ++c) {
    auto p = params.select (1, c);
    auto mu = channel_means (params, xs, c, K);                              // [B, K, H, W]
    auto s = p.narrow (1, 2 * K, K).clamp_min (kMinLogScale);
    auto v = x.select (1, c).unsqueeze (1);
    auto lp = component_log_probs (xs.select (1, c).unsqueeze (1) - mu, s, v == 0, v == 255);
    auto log_w = torch::log_softmax (p.narrow (1, 0, K), 1);
    channels.push_back (-torch::logsumexp (lp + log_w, 1));                  // [B, H, W]
  }
  return torch::stack (channels, 1);
}

torch::Tensor
mixture_mean (const torch::Tensor &params, const torch::Tensor &x_scaled, int K)
{
  check_shapes (params, x_scaled, K);
  std::vector<torch::Tensor> means;
  for (int c = 0; c < params.size (1); ++c) {
    auto weights = torch::softmax (params.select (1, c).narrow (1, 0, K), 1);
    means.push_back ((weights * channel_means (params, x_scaled, c, K)).sum (1));
  }
  return torch::stack (means, 1);
}

}  // namespace pixelrnn
