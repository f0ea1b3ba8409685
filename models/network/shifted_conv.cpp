#include "shifted_conv.h"

#include <cmath>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>

namespace pixelrnn {

ShiftedConv2dImpl::ShiftedConv2dImpl (const ShiftedConv2dOptions &o) : options (o)
{
  reset ();
}

void
ShiftedConv2dImpl::reset ()
{
  const auto &o = options;
  weight = register_parameter ("weight",
      torch::empty ({o.out_channels, o.in_channels, o.kernel_h, o.kernel_w}));
  bias = register_parameter ("bias", torch::zeros ({o.out_channels}));
  mask_ = torch::ones ({o.out_channels, o.in_channels, o.kernel_h, o.kernel_w});
  if (o.shift == Shift::DownRight) {
    // The own position is the kernel's last tap: MaskedConv2d's centre rule on a 1x1 kernel.
    auto centre = make_mask (MaskedConv2dOptions{o.in_channels, o.out_channels, 1, 1,
        o.own_position, o.colour_groups});
    mask_.select (3, o.kernel_w - 1).select (2, o.kernel_h - 1).copy_ (centre.flatten (1));
  }
  double fan_in = std::max (1.0, mask_.sum ().item<double> () / o.out_channels);
  torch::NoGradGuard no_grad;
  weight.uniform_ (-std::sqrt (3.0 / fan_in), std::sqrt (3.0 / fan_in));
}

int
ShiftedConv2dImpl::pad_top () const
{
  return options.kernel_h - 1 + (options.shift == Shift::Above ? 1 : 0);
}

int
ShiftedConv2dImpl::pad_left () const
{
  return options.shift == Shift::DownRight ? options.kernel_w - 1 : options.kernel_w / 2;
}

torch::Tensor
ShiftedConv2dImpl::forward (const torch::Tensor &x)
{
  namespace F = torch::nn::functional;
  const int left = pad_left (), right = options.kernel_w - 1 - left;
  auto padded = F::pad (x, F::PadFuncOptions ({left, right, pad_top (), 0}));
  auto y = F::conv2d (padded, options.shift == Shift::DownRight ? weight * mask_ : weight,
      F::Conv2dFuncOptions ().bias (bias));
  // Above pads one row more than the kernel needs, so its output has a row too many at the end.
  return options.shift == Shift::Above ? y.narrow (2, 0, x.size (2)) : y;
}

std::vector<std::pair<int, int>>
ShiftedConv2dImpl::taps () const
{
  std::vector<std::pair<int, int>> t;
  for (int r = 0; r < options.kernel_h; ++r)
    for (int c = 0; c < options.kernel_w; ++c)
      t.emplace_back (r - pad_top (), c - pad_left ());
  return t;
}

}  // namespace pixelrnn
