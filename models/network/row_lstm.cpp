#include "row_lstm.h"

#include "network/lstm_cell.h"
#include "network/small_products.h"

namespace pixelrnn {

RowLSTMImpl::RowLSTMImpl (int h, int colour_groups, int kernel_size)
    : hidden (h), groups (colour_groups), kernel (kernel_size)
{
  reset ();
}

void
RowLSTMImpl::reset ()
{
  const int h = hidden;
  input_to_state = register_module ("input_to_state",
      MaskedConv2d (MaskedConv2dOptions{2 * h, 4 * h, 1, kernel, MaskType::B, groups, 4}));
  state_to_state = register_module ("state_to_state",
      torch::nn::Conv1d (torch::nn::Conv1dOptions (h, 4 * h, kernel).padding (kernel / 2)));
  output = register_module ("output",
      MaskedConv2d (MaskedConv2dOptions{h, 2 * h, 1, 1, MaskType::B, groups}));
}

torch::Tensor
RowLSTMImpl::forward (const torch::Tensor &x)
{
  const auto B = x.size (0), H = x.size (2), W = x.size (3);
  // Rows as separate contiguous views: unbind's backward stacks the row gradients once,
  // where select's would fill a zero tensor of the whole map for every row (most of a
  // training step's time at 32x32).
  auto gates_in = input_to_state (x).permute ({2, 0, 1, 3}).contiguous ().unbind (0);  // H x [B, 4h, W]
  auto state = torch::zeros ({B, hidden, W}, x.options ());
  auto cell = torch::zeros ({B, hidden, W}, x.options ());
  std::vector<torch::Tensor> rows;
  rows.reserve (H);
  const int64_t pad = state_to_state->weight.size (2) / 2;   // as built: kernel / 2
  for (int64_t i = 0; i < H; ++i) {
    // At inference each product stays on this thread (small_products.h).
    auto gates = gates_in[i] + step_conv1d (state_to_state, state, pad);
    state = lstm_update (gates, cell);
    rows.push_back (state);
  }
  return x + output (torch::stack (rows, 2));
}

}  // namespace pixelrnn
