// MaskedConv2d: a 2-D convolution whose kernel sees only preceding pixels, and within the
// current pixel only the preceding colour groups (the paper's mask A and mask B).
//
// With C colour channels the feature maps are split into C contiguous groups (R, G, B).
// At the kernel centre, output group g may read input group g' when g' < g (mask A) or
// g' <= g (mask B). Rows above the centre and columns left of it are fully visible; the rest
// is zero. `out_blocks` repeats the grouping in that many contiguous blocks, which is how the
// four LSTM gates each keep their own R, G, B split.
#pragma once

#include <torch/nn/cloneable.h>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace pixelrnn {

enum class MaskType { A, B };

struct MaskedConv2dOptions {
  int in_channels, out_channels, kernel_h, kernel_w;
  MaskType mask = MaskType::B;
  int colour_groups = 1;
  int out_blocks = 1;
};

// Colour group of feature k in a map of n features split in `blocks` blocks of C groups.
int colour_group (int k, int n, int colour_groups, int blocks = 1);

// The 0/1 mask of shape [out, in, kh, kw].
torch::Tensor make_mask (const MaskedConv2dOptions &o);

class MaskedConv2dImpl : public torch::nn::Cloneable<MaskedConv2dImpl> {
 public:
  explicit MaskedConv2dImpl (const MaskedConv2dOptions &options);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  torch::Tensor forward (const torch::Tensor &x);
  // Weight with the mask applied: what the incremental engine multiplies by.
  torch::Tensor masked_weight () const { return weight * mask_; }

  MaskedConv2dOptions options;
  torch::Tensor weight, bias;

 private:
  // Not a registered buffer: the mask is derived from the config, never read from a file,
  // so a tampered model file cannot open a leak.
  torch::Tensor mask_;
};
TORCH_MODULE (MaskedConv2d);

}  // namespace pixelrnn
