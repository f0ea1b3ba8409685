// PixelCNN residual block (van den Oord et al. 2016, Figure 5): 2h features in,
// ReLU - 1x1 (h) - ReLU - 3x3 (h) - ReLU - 1x1 (2h), all mask B, added to the input.
#pragma once

#include "masked_conv.h"

namespace pixelrnn {

class PixelCNNBlockImpl : public torch::nn::Module {
 public:
  PixelCNNBlockImpl (int hidden, int colour_groups);
  torch::Tensor forward (const torch::Tensor &x);

  MaskedConv2d reduce{nullptr}, conv{nullptr}, expand{nullptr};
};
TORCH_MODULE (PixelCNNBlock);

}  // namespace pixelrnn
