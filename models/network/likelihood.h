// Likelihood under a PixelModel: per-value log-probabilities, per-image NLL, bits/dim.
// NLL is in nats internally; users see bits per dimension = NLL / (H W C ln 2).
#pragma once

#include "network/pixel_model.h"

namespace pixelrnn {

// log p of every value: [B, C, 256, H, W]; sums to 1 over dim 2 after exp.
torch::Tensor log_probs (PixelModel &model, const torch::Tensor &x);
// -log p(x_{c,i,j} | context) per sub-pixel, nats: [B, C, H, W].
torch::Tensor nll_map (PixelModel &model, const torch::Tensor &x);
// Mean NLL per dimension in nats, differentiable: the training loss. x: uint8 [B, C, H, W].
torch::Tensor training_loss (PixelModel &model, const torch::Tensor &x);
// Per image, bits per dimension: [B] (double).
torch::Tensor bits_per_dim (PixelModel &model, const torch::Tensor &x);

constexpr double kLn2 = 0.69314718055994530942;

}  // namespace pixelrnn
