// PixelCNN residual blocks, 2h features in and out, all convolutions mask B:
//   residual (van den Oord et al. 2016, Figure 5): ReLU - 1x1 (h) - ReLU - 3x3 (h) - ReLU - 1x1 (2h);
//   gated (PixelCNN++ section 2.4): ReLU - 1x1 (h) - ReLU - 3x3 (2h as pairs a, b) -
//     a * sigmoid(b) (h) - 1x1 (2h).
// Both added to the input; optional dropout (training only) before the 3x3.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/masked_conv.h"
#include "network/model_config.h"

namespace pixelrnn {

// a * sigmoid(b) for features laid out as `groups` colour groups, each holding its a's then
// its b's: [B, 2n, H, W] -> [B, n, H, W], colour group g's outputs from group g's pairs only.
torch::Tensor gate_colour_groups (const torch::Tensor &pairs, int groups);

class PixelCNNBlockImpl : public torch::nn::Cloneable<PixelCNNBlockImpl> {
 public:
  PixelCNNBlockImpl (int hidden, int colour_groups, Block block = Block::Residual,
      float dropout = 0.f);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  torch::Tensor forward (const torch::Tensor &x);

  MaskedConv2d reduce{nullptr}, conv{nullptr}, expand{nullptr};
  int hidden;
  Block block;
  float dropout;
  int groups;
};
TORCH_MODULE (PixelCNNBlock);

}  // namespace pixelrnn
