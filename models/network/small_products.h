// The recurrent layers' per-row (Row LSTM) and per-diagonal (Diagonal BiLSTM) convolutions
// at inference, as products small enough that OpenBLAS runs each on the calling thread.
//
// Debian's OpenBLAS is the pthreads build: a product with m * n * k above 4 x 65536 wakes
// its own pool, one thread per core, which then spins while LibTorch's threads want the same
// cores. For the tens-of-microseconds products of a scan that costs more than it gains
// (measured, 2 cores, the other busy: 192x144x52 took 372 us pooled, 35x144x52 12 us on the
// calling thread). The CLI sets OpenBLAS to one thread (process_tuning.h); a plugin may not
// change its host's BLAS, so the layers cut their products into pieces under the threshold.
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/types.h>

namespace pixelrnn {

// OpenBLAS's GEMM runs on the calling thread when m * n * k is at most this.
constexpr int64_t kSingleThreadedProduct = 65536 * 4;

// conv1d (x [B, Cin, L], weight [Cout, Cin, k], bias [Cout], zero padding `padding` on both
// sides, stride 1) -> [B, Cout, L + 2 * padding - k + 1], each BLAS call within
// kSingleThreadedProduct; one conv1d when OpenBLAS is set to one thread anyway (the CLI).
// No autograd: for inference (the training path uses conv1d).
torch::Tensor conv1d_in_pieces (const torch::Tensor &x, const torch::Tensor &weight,
    const torch::Tensor &bias, int64_t padding);
// A recurrent layer's per-step convolution: `conv` itself while autograd records (training
// needs it), conv1d_in_pieces of its weights at inference. `padding`: what `conv` was built with.
torch::Tensor step_conv1d (torch::nn::Conv1d &conv, const torch::Tensor &x, int64_t padding);

// The same, always cut into pieces (what conv1d_in_pieces does under a threaded OpenBLAS).
torch::Tensor conv1d_tiled (const torch::Tensor &x, const torch::Tensor &weight,
    const torch::Tensor &bias, int64_t padding);

}  // namespace pixelrnn
