// ShiftedConv2d: a convolution whose kernel is placed above or above-left of the output
// position instead of centred on it, so that it needs no mask to stay causal and multiplies
// no weight that a mask would zero (PixelCNN++'s down- and down-right-shifted convolutions).
// Output (i, j) reads, for a kh x kw kernel:
//   Above      rows i-kh .. i-1,   columns j-kw/2 .. j+kw/2  (raw pixels: strictly above)
//   Down       rows i-kh+1 .. i,   columns j-kw/2 .. j+kw/2  (maps whose row i holds only
//                                                            what rows above i determine)
//   DownRight  rows i-kh+1 .. i,   columns j-kw+1 .. j       (position (i, j) itself last)
// Only DownRight reads the output's own position, and there colour group g reads the input's
// groups before it (mask A) or up to it (mask B), as MaskedConv2d's centre does.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/masked_conv.h"

#include <utility>
#include <vector>

namespace pixelrnn {

enum class Shift { Above, Down, DownRight };

struct ShiftedConv2dOptions {
  int in_channels, out_channels, kernel_h, kernel_w;
  Shift shift = Shift::Down;
  int colour_groups = 1;
  MaskType own_position = MaskType::B;   // DownRight only
};

class ShiftedConv2dImpl : public torch::nn::Cloneable<ShiftedConv2dImpl> {
 public:
  explicit ShiftedConv2dImpl (const ShiftedConv2dOptions &options);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  torch::Tensor forward (const torch::Tensor &x);
  // Weight with the own-position mask applied, [out, in, kh, kw].
  torch::Tensor masked_weight () const { return weight * mask_; }
  // (dy, dx) of kernel index (r, c) at r * kw + c, relative to the output position: what the
  // incremental engine gathers.
  std::vector<std::pair<int, int>> taps () const;

  ShiftedConv2dOptions options;
  torch::Tensor weight, bias;

 private:
  int pad_top () const;
  int pad_left () const;
  torch::Tensor mask_;   // from the options, never from a file (as in MaskedConv2d)
};
TORCH_MODULE (ShiftedConv2d);

}  // namespace pixelrnn
