#include "diagonal_bilstm.h"

#include "network/lstm_cell.h"
#include "network/small_products.h"

#include <torch/nn/functional/padding.h>

namespace pixelrnn {

namespace F = torch::nn::functional;

torch::Tensor
skew (const torch::Tensor &x)
{
  const int64_t H = x.size (2);
  std::vector<torch::Tensor> rows;
  rows.reserve (H);
  for (int64_t i = 0; i < H; ++i)
    rows.push_back (F::pad (x.select (2, i), F::PadFuncOptions ({i, H - 1 - i})));
  return torch::stack (rows, 2);
}

torch::Tensor
unskew (const torch::Tensor &x, int64_t width)
{
  const int64_t H = x.size (2);
  std::vector<torch::Tensor> rows;
  rows.reserve (H);
  for (int64_t i = 0; i < H; ++i)
    rows.push_back (x.select (2, i).narrow (2, i, width));
  return torch::stack (rows, 2);
}

DiagonalLSTMImpl::DiagonalLSTMImpl (int h, int colour_groups) : hidden (h), groups (colour_groups)
{
  reset ();
}

void
DiagonalLSTMImpl::reset ()
{
  const int h = hidden;
  input_to_state = register_module ("input_to_state",
      MaskedConv2d (MaskedConv2dOptions{2 * h, 4 * h, 1, 1, MaskType::B, groups, 4}));
  // Kernel 2 over rows [i-1, i] of the previous column; padding 1 and dropping the last
  // output aligns output i with those two rows.
  state_to_state = register_module ("state_to_state",
      torch::nn::Conv1d (torch::nn::Conv1dOptions (h, 4 * h, 2).padding (1)));
}

torch::Tensor
DiagonalLSTMImpl::forward (const torch::Tensor &x)
{
  const int64_t B = x.size (0), H = x.size (2), W = x.size (3);
  // Columns of the skewed map as separate contiguous views (see row_lstm.cpp: unbind's
  // backward is one stack, select's a whole-map zero fill per column).
  auto gates_in = skew (input_to_state (x)).permute ({3, 0, 1, 2}).contiguous ().unbind (0);  // (H+W-1) x [B, 4h, H]
  auto state = torch::zeros ({B, hidden, H}, x.options ());
  auto cell = torch::zeros ({B, hidden, H}, x.options ());
  std::vector<torch::Tensor> columns;
  columns.reserve (H + W - 1);
  for (int64_t j = 0; j < H + W - 1; ++j) {
    // At inference each product stays on this thread (small_products.h).
    auto gates = gates_in[j] + step_conv1d (state_to_state, state, 1).narrow (2, 0, H);
    state = lstm_update (gates, cell);
    columns.push_back (state);
  }
  return unskew (torch::stack (columns, 3), W);
}

DiagonalBiLSTMImpl::DiagonalBiLSTMImpl (int h, int colour_groups) : hidden (h), groups (colour_groups)
{
  reset ();
}

void
DiagonalBiLSTMImpl::reset ()
{
  const int h = hidden;
  forward_dir = register_module ("forward_dir", DiagonalLSTM (h, groups));
  backward_dir = register_module ("backward_dir", DiagonalLSTM (h, groups));
  output = register_module ("output",
      MaskedConv2d (MaskedConv2dOptions{h, 2 * h, 1, 1, MaskType::B, groups}));
}

torch::Tensor
DiagonalBiLSTMImpl::forward (const torch::Tensor &x)
{
  auto left_to_right = forward_dir (x);
  auto right_to_left = backward_dir (x.flip ({3})).flip ({3});
  // Shift down one row: row i receives what the right-to-left scan saw up to row i-1.
  auto shifted = F::pad (right_to_left, F::PadFuncOptions ({0, 0, 1, 0}))
                     .narrow (2, 0, x.size (2));
  return x + output (left_to_right + shifted);
}

}  // namespace pixelrnn
