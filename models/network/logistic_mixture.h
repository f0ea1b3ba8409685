// Discretized logistic mixture output (Salimans et al. 2017, PixelCNN++ §2.1-2.2), fitted to
// this family's colour groups.
//
// Every sub-pixel c gets K logistic components: weights pi_k, means mu_k, log-scales s_k
// (clamped at kMinLogScale), and for G and B coefficients that make the mean linear in the
// values already known in the pixel:  mu_G,k = m_G,k + tanh(a_k) r,  mu_B,k = m_B,k +
// tanh(b_k) r + tanh(c_k) g  (values on the network's [-1, 1] scale). Value v's probability is
// the component's mass on [v - 0.5, v + 0.5] (scaled), with the whole left tail at 0 and the
// right tail at 255, so the 256 probabilities sum to one.
//
// PixelCNN++ shares one set of weights pi_k across R, G, B because its network cannot see r
// when it predicts g. Here the masked colour groups do: G's head reads r, so its weights and
// means are any function of r (a superset of the shared-weight form), and each sub-pixel's
// conditional is a plain K-component mixture.
//
// Parameters per sub-pixel: [pi (K), mu (K), s (K), coeff (K) x (C - 1)] = params_per_channel.
#pragma once

#include "network/mixture_kernel.h"

#include <torch/types.h>

namespace pixelrnn {

// params [B, C, P, H, W], x_scaled [B, C, H, W] (values in [-1, 1]) -> log p of each of the
// 256 values, [B, C, 256, H, W]. Differentiable; sub-pixel c reads x_scaled only in channels
// before c of the same pixel.
torch::Tensor mixture_log_probs (const torch::Tensor &params, const torch::Tensor &x_scaled, int mixtures);

// -log p(x) per sub-pixel in nats, [B, C, H, W], evaluated only at the observed values (the
// training loss; far cheaper than all 256). x: uint8 [B, C, H, W].
torch::Tensor mixture_nll (const torch::Tensor &params, const torch::Tensor &x, int mixtures);

// The mixture's mean on the [-1, 1] scale, sum_k pi_k mu_k (ignoring that the tails are
// folded onto 0 and 255), [B, C, H, W]; differentiable. A cheap stand-in for the table's
// expectation, used to train the posterior mean for fidelity.
torch::Tensor mixture_mean (const torch::Tensor &params, const torch::Tensor &x_scaled, int mixtures);

}  // namespace pixelrnn
