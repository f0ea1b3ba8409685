#include "pixelcnn_block.h"

#include <torch/nn/functional/activation.h>

namespace pixelrnn {

PixelCNNBlockImpl::PixelCNNBlockImpl (int hidden, int groups)
{
  reduce = register_module ("reduce", MaskedConv2d (MaskedConv2dOptions{2 * hidden, hidden, 1, 1, MaskType::B, groups}));
  conv = register_module ("conv", MaskedConv2d (MaskedConv2dOptions{hidden, hidden, 3, 3, MaskType::B, groups}));
  expand = register_module ("expand", MaskedConv2d (MaskedConv2dOptions{hidden, 2 * hidden, 1, 1, MaskType::B, groups}));
}

torch::Tensor
PixelCNNBlockImpl::forward (const torch::Tensor &x)
{
  auto y = reduce (torch::relu (x));
  y = conv (torch::relu (y));
  y = expand (torch::relu (y));
  return x + y;
}

}  // namespace pixelrnn
