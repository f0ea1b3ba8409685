// Diagonal BiLSTM layer (van den Oord et al. 2016, section 3.2), with its residual connection.
//
// Each direction skews its input (row i shifted right by i) so that a diagonal becomes a
// column, applies a 1x1 mask-B input-to-state conv, and walks the columns left to right with
// a 2x1 state-to-state conv over the previous column (the pixel above and the pixel to the
// left, both in the past). The right-to-left direction runs on the mirrored map; its output
// is shifted down one row before it is added, because unshifted it would see the current
// row's future pixels.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/masked_conv.h"

#include <torch/nn/modules/conv.h>

namespace pixelrnn {

// Row i shifted right by i: [B, C, H, W] -> [B, C, H, H + W - 1], zeros elsewhere.
torch::Tensor skew (const torch::Tensor &x);
// The inverse of skew: [B, C, H, H + W - 1] -> [B, C, H, W].
torch::Tensor unskew (const torch::Tensor &x, int64_t width);

class DiagonalLSTMImpl : public torch::nn::Cloneable<DiagonalLSTMImpl> {
 public:
  DiagonalLSTMImpl (int hidden, int colour_groups);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  // x: [B, 2h, H, W] -> hidden states [B, h, H, W] of the left-to-right diagonal scan.
  torch::Tensor forward (const torch::Tensor &x);

  int hidden, groups;
  MaskedConv2d input_to_state{nullptr};
  torch::nn::Conv1d state_to_state{nullptr};
};
TORCH_MODULE (DiagonalLSTM);

class DiagonalBiLSTMImpl : public torch::nn::Cloneable<DiagonalBiLSTMImpl> {
 public:
  DiagonalBiLSTMImpl (int hidden, int colour_groups);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  torch::Tensor forward (const torch::Tensor &x);

  int hidden, groups;
  DiagonalLSTM forward_dir{nullptr}, backward_dir{nullptr};
  MaskedConv2d output{nullptr};
};
TORCH_MODULE (DiagonalBiLSTM);

}  // namespace pixelrnn
