#include "masked_conv.h"

#include <cmath>
#include <torch/nn/functional/conv.h>
#include <torch/nn/init.h>

namespace pixelrnn {

int
colour_group (int k, int n, int colour_groups, int blocks)
{
  int block_size = n / blocks;
  return (k % block_size) * colour_groups / block_size;
}

torch::Tensor
make_mask (const MaskedConv2dOptions &o)
{
  auto mask = torch::zeros ({o.out_channels, o.in_channels, o.kernel_h, o.kernel_w});
  auto m = mask.accessor<float, 4> ();
  const int cy = o.kernel_h / 2, cx = o.kernel_w / 2;
  for (int out = 0; out < o.out_channels; ++out) {
    int g_out = colour_group (out, o.out_channels, o.colour_groups, o.out_blocks);
    for (int in = 0; in < o.in_channels; ++in) {
      int g_in = colour_group (in, o.in_channels, o.colour_groups);
      for (int y = 0; y < o.kernel_h; ++y)
        for (int x = 0; x < o.kernel_w; ++x) {
          bool visible;
          if (y < cy || (y == cy && x < cx))
            visible = true;                          // a preceding pixel
          else if (y == cy && x == cx)
            visible = o.mask == MaskType::A ? g_in < g_out : g_in <= g_out;
          else
            visible = false;                         // the future
          m[out][in][y][x] = visible ? 1.f : 0.f;
        }
    }
  }
  return mask;
}

MaskedConv2dImpl::MaskedConv2dImpl (const MaskedConv2dOptions &o) : options (o)
{
  reset ();
}

void
MaskedConv2dImpl::reset ()
{
  const auto &o = options;
  weight = register_parameter ("weight",
      torch::empty ({o.out_channels, o.in_channels, o.kernel_h, o.kernel_w}));
  bias = register_parameter ("bias", torch::zeros ({o.out_channels}));
  mask_ = make_mask (o);
  // He-style init scaled by the number of inputs the mask leaves visible.
  double fan_in = std::max (1.0, mask_.sum ().item<double> () / o.out_channels);
  torch::NoGradGuard no_grad;
  weight.uniform_ (-std::sqrt (3.0 / fan_in), std::sqrt (3.0 / fan_in));
}

torch::Tensor
MaskedConv2dImpl::forward (const torch::Tensor &x)
{
  namespace F = torch::nn::functional;
  return F::conv2d (x, weight * mask_,
      F::Conv2dFuncOptions ().bias (bias).padding ({options.kernel_h / 2, options.kernel_w / 2}));
}

}  // namespace pixelrnn
