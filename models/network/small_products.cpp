#include "small_products.h"

#include <algorithm>
#include <dlfcn.h>
#include <torch/autograd.h>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>

namespace pixelrnn {

namespace {

// Whether the process's OpenBLAS runs every product on the calling thread (set to one
// thread, as the CLI does). Looked up, not linked: Debian's libblas.so.3 may be another BLAS.
bool
openblas_single_threaded ()
{
  using GetThreads = int (*) ();
  static const auto get_threads =
      reinterpret_cast<GetThreads> (dlsym (RTLD_DEFAULT, "openblas_get_num_threads"));
  return get_threads && get_threads () == 1;
}

}  // namespace

torch::Tensor
conv1d_in_pieces (const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
    int64_t padding)
{
  namespace F = torch::nn::functional;
  if (openblas_single_threaded ())
    return F::conv1d (x, weight, F::Conv1dFuncOptions ().bias (bias).padding (padding));
  return conv1d_tiled (x, weight, bias, padding);
}

torch::Tensor
step_conv1d (torch::nn::Conv1d &conv, const torch::Tensor &x, int64_t padding)
{
  if (torch::GradMode::is_enabled ())
    return conv (x);
  return conv1d_in_pieces (x, conv->weight, conv->bias, padding);
}

torch::Tensor
conv1d_tiled (const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
    int64_t padding)
{
  namespace F = torch::nn::functional;
  const int64_t B = x.size (0), Cin = x.size (1), Cout = weight.size (0), k = weight.size (2);
  auto padded = padding > 0 ? F::pad (x, F::PadFuncOptions ({padding, padding})) : x;
  const int64_t L = padded.size (2) - k + 1;
  // Columns [Cin * k, B * L], row c * k + t holding input c shifted by tap t: weight.view's order.
  auto columns = padded.unfold (2, k, 1).permute ({1, 3, 0, 2}).reshape ({Cin * k, B * L});
  auto w = weight.reshape ({Cout, Cin * k});
  const int64_t K = Cin * k, N = B * L;
  auto out = torch::empty ({Cout, N}, x.options ());
  // Tiles of m output features x n columns with m * n * K under the threshold.
  const int64_t m = std::min<int64_t> (Cout, 64);
  const int64_t n = std::max<int64_t> (1, std::min<int64_t> (N, kSingleThreadedProduct / (m * K)));
  auto b = bias.unsqueeze (1);
  for (int64_t o = 0; o < Cout; o += m) {
    const int64_t mo = std::min (m, Cout - o);
    for (int64_t c = 0; c < N; c += n) {
      const int64_t nc = std::min (n, N - c);
      auto tile = out.narrow (0, o, mo).narrow (1, c, nc);
      torch::addmm_out (tile, b.narrow (0, o, mo), w.narrow (0, o, mo), columns.narrow (1, c, nc));
    }
  }
  return out.view ({Cout, B, L}).permute ({1, 0, 2});
}

}  // namespace pixelrnn
