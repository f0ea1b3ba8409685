#include "two_stream_block.h"

#include "network/pixelcnn_block.h"

#include <torch/nn/functional/dropout.h>

namespace pixelrnn {

TwoStreamBlockImpl::TwoStreamBlockImpl (int hidden_, int colour_groups, float dropout_)
    : hidden (hidden_), dropout (dropout_), groups (colour_groups)
{
  reset ();
}

void
TwoStreamBlockImpl::reset ()
{
  const int h = hidden, C = groups;
  // One colour group: every feature of the vertical stream may read every other.
  v_reduce = register_module ("v_reduce", MaskedConv2d (MaskedConv2dOptions{2 * h, h, 1, 1, MaskType::B, 1}));
  v_conv = register_module ("v_conv", ShiftedConv2d (ShiftedConv2dOptions{h, 2 * h, 2, 3, Shift::Down}));
  v_expand = register_module ("v_expand", MaskedConv2d (MaskedConv2dOptions{h, 2 * h, 1, 1, MaskType::B, 1}));
  reduce = register_module ("reduce", MaskedConv2d (MaskedConv2dOptions{2 * h, h, 1, 1, MaskType::B, C}));
  conv = register_module ("conv", ShiftedConv2d (ShiftedConv2dOptions{h, 2 * h, 2, 2,
      Shift::DownRight, C, MaskType::B}));
  // v' at (i, j) holds nothing of row i, so every colour group may read all of it.
  link = register_module ("link", MaskedConv2d (MaskedConv2dOptions{2 * h, 2 * h, 1, 1, MaskType::B, 1}));
  expand = register_module ("expand", MaskedConv2d (MaskedConv2dOptions{h, 2 * h, 1, 1, MaskType::B, C}));
}

std::pair<torch::Tensor, torch::Tensor>
TwoStreamBlockImpl::forward (const torch::Tensor &v, const torch::Tensor &h)
{
  auto drop = [&] (torch::Tensor t) {
    return dropout > 0.f ? torch::dropout (t, dropout, is_training ()) : t;
  };
  auto vr = drop (torch::relu (v_reduce (torch::relu (v))));
  auto v_out = v + v_expand (gate_colour_groups (v_conv (vr), 1));
  auto hr = drop (torch::relu (reduce (torch::relu (h))));
  auto pairs = conv (hr) + link (torch::relu (v_out));
  auto h_out = h + expand (gate_colour_groups (pairs, groups));
  return {v_out, h_out};
}

}  // namespace pixelrnn
