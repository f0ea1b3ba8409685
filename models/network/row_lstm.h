// Row LSTM layer (van den Oord et al. 2016, section 3.1), with its residual connection.
//
// Input-to-state: a masked (B) 1 x k conv along the row, computed for all rows at once.
// State-to-state: a 1 x k conv over the previous row's hidden state. That row lies wholly in
// the past, so it needs no mask. Rows are processed top to bottom; the output h features go
// through a 1x1 mask-B conv back to 2h and are added to the input.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/masked_conv.h"

#include <torch/nn/modules/conv.h>

namespace pixelrnn {

class RowLSTMImpl : public torch::nn::Cloneable<RowLSTMImpl> {
 public:
  RowLSTMImpl (int hidden, int colour_groups, int kernel);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  torch::Tensor forward (const torch::Tensor &x);

  int hidden, groups, kernel;
  MaskedConv2d input_to_state{nullptr}, output{nullptr};
  torch::nn::Conv1d state_to_state{nullptr};
};
TORCH_MODULE (RowLSTM);

}  // namespace pixelrnn
