// The LSTM update shared by Row LSTM and Diagonal BiLSTM: gates laid out [o, f, i, g],
// each block of h features keeping its own R, G, B split.
#pragma once

#include <torch/types.h>

namespace pixelrnn {

// gates: [B, 4h, ...]; cell: [B, h, ...] updated in place semantics (returned). Returns hidden.
inline torch::Tensor
lstm_update (const torch::Tensor &gates, torch::Tensor &cell)
{
  auto g = gates.chunk (4, 1);
  cell = torch::sigmoid (g[1]) * cell + torch::sigmoid (g[2]) * torch::tanh (g[3]);
  return torch::sigmoid (g[0]) * torch::tanh (cell);
}

}  // namespace pixelrnn
