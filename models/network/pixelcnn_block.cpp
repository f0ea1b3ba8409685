#include "pixelcnn_block.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/dropout.h>

namespace pixelrnn {

torch::Tensor
gate_colour_groups (const torch::Tensor &pairs, int groups)
{
  const int64_t n = pairs.size (1) / (2 * groups);
  auto g = pairs.view ({pairs.size (0), groups, 2, n, pairs.size (2), pairs.size (3)});
  auto out = g.select (2, 0) * torch::sigmoid (g.select (2, 1));
  return out.reshape ({pairs.size (0), groups * n, pairs.size (2), pairs.size (3)});
}

PixelCNNBlockImpl::PixelCNNBlockImpl (int hidden_, int colour_groups, Block block_, float dropout_)
    : hidden (hidden_), block (block_), dropout (dropout_), groups (colour_groups)
{
  reset ();
}

void
PixelCNNBlockImpl::reset ()
{
  const int conv_out = block == Block::Gated ? 2 * hidden : hidden;
  reduce = register_module ("reduce", MaskedConv2d (MaskedConv2dOptions{2 * hidden, hidden, 1, 1, MaskType::B, groups}));
  conv = register_module ("conv", MaskedConv2d (MaskedConv2dOptions{hidden, conv_out, 3, 3, MaskType::B, groups}));
  expand = register_module ("expand", MaskedConv2d (MaskedConv2dOptions{hidden, 2 * hidden, 1, 1, MaskType::B, groups}));
}

torch::Tensor
PixelCNNBlockImpl::forward (const torch::Tensor &x)
{
  auto y = torch::relu (reduce (torch::relu (x)));
  if (dropout > 0.f)
    y = torch::dropout (y, dropout, is_training ());
  y = conv (y);
  // The gate's output can be negative and is used as it is (no ReLU before the 1x1).
  y = block == Block::Gated ? gate_colour_groups (y, groups) : torch::relu (y);
  return x + expand (y);
}

}  // namespace pixelrnn
