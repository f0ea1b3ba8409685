#include "conditioner.h"

#include "network/axis_fill.h"
#include "network/harmonic_fill.h"
#include "network/steered_fill.h"
#include "network/mixture_kernel.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>

namespace pixelrnn {

int
conditioner_dilation (int layer)
{
  return 1 << (layer % 5);
}

ConditionerImpl::ConditionerImpl (int C, int hidden_features, int layer_count, int K, ConditionerBase base_fill)
    : channels (C), hidden (hidden_features), layers (layer_count), mixtures (K), base (base_fill)
{
  reset ();
}

void
ConditionerImpl::reset ()
{
  using torch::nn::Conv2dOptions;
  const int C = channels, K = mixtures;
  const int fills = base == ConditionerBase::Membrane ? 1 : 2;
  input = register_module ("input", torch::nn::Conv2d (Conv2dOptions (fills * C + 1, hidden, 3).padding (1)));
  dilated = register_module ("dilated", torch::nn::ModuleList ());
  mix = register_module ("mix", torch::nn::ModuleList ());
  for (int l = 0; l < layers; ++l) {
    const int d = conditioner_dilation (l);
    dilated->push_back (torch::nn::Conv2d (Conv2dOptions (hidden, hidden, 3).padding (d).dilation (d)));
    mix->push_back (torch::nn::Conv2d (Conv2dOptions (hidden, hidden, 1)));
  }
  const int P = mixture_params_per_channel (K, C);
  output = register_module ("output", torch::nn::Conv2d (Conv2dOptions (hidden, C * P, 1)));
  expert_weights = register_parameter ("expert_weights", torch::ones ({2}));
  torch::NoGradGuard no_grad;
  // Start exactly as the base fill (zero output weights: every component's mean on it,
  // a few values wide); gradients still reach the body through the output weights.
  output->weight.zero_ ();
  output->bias.zero_ ();
  for (int c = 0; c < C; ++c)
    output->bias.narrow (0, c * P + 2 * K, K).fill_ (-3.0);
  for (int l = 0; l < layers; ++l)   // each residual block starts near the identity
    mix[l]->as<torch::nn::Conv2d> ()->weight.mul_ (0.1);
}

namespace {

// A dilated 3x3 convolution computed as an ordinary one on the d x d interleaved sub-grids
// of the (zero-padded) input, stacked along the batch. Same result; LibTorch's CPU dilated
// convolution falls back to a slow unoptimised kernel (measured: a 16 px direct fill took
// 0.79 s per hole through the element, most of it in the dilated layers).
torch::Tensor
dilated_conv (torch::nn::Conv2dImpl &conv, const torch::Tensor &x, int d)
{
  namespace F = torch::nn::functional;
  if (d == 1)
    return conv.forward (x);
  const int64_t B = x.size (0), C = x.size (1), H = x.size (2), W = x.size (3);
  const int64_t Hp = (H + d - 1) / d * d, Wp = (W + d - 1) / d * d;
  auto padded = F::pad (x, F::PadFuncOptions ({0, Wp - W, 0, Hp - H}));
  auto grids = padded.view ({B, C, Hp / d, d, Wp / d, d}).permute ({0, 3, 5, 1, 2, 4})
      .reshape ({B * d * d, C, Hp / d, Wp / d});
  auto y = F::conv2d (grids, conv.weight, F::Conv2dFuncOptions ().bias (conv.bias).padding (1));
  const int64_t O = y.size (1);
  return y.view ({B, d, d, O, Hp / d, Wp / d}).permute ({0, 3, 4, 1, 5, 2})
      .reshape ({B, O, Hp, Wp}).narrow (2, 0, H).narrow (3, 0, W);
}

}  // namespace

torch::Tensor
ConditionerImpl::forward (const torch::Tensor &x_scaled, const torch::Tensor &hole)
{
  const int64_t B = x_scaled.size (0), H = x_scaled.size (2), W = x_scaled.size (3);
  auto h1 = hole.to (x_scaled.scalar_type ()).expand ({B, 1, H, W});
  auto membrane = harmonic_fill (x_scaled, 1.f - h1);
  auto fill = membrane;
  torch::Tensor y;
  if (base != ConditionerBase::Membrane) {
    fill = axis_fill (x_scaled, 1.f - h1, membrane);
    if (base == ConditionerBase::Steered)
      fill = steered_fill (x_scaled, 1.f - h1, fill);
    y = input (torch::cat ({membrane, fill, h1}, 1));
  } else {
    y = input (torch::cat ({membrane, h1}, 1));
  }
  for (size_t l = 0; l < dilated->size (); ++l) {
    auto t = dilated_conv (*dilated[l]->as<torch::nn::Conv2d> (), torch::relu (y),
        conditioner_dilation ((int) l));
    y = y + mix[l]->as<torch::nn::Conv2d> ()->forward (torch::relu (t));
  }
  const int K = mixtures, P = mixture_params_per_channel (K, channels);
  auto params = output (torch::relu (y)).view ({B, channels, P, H, W});
  // Means are offsets from the base fill.
  auto start = fill.unsqueeze (2).expand ({B, channels, K, H, W});
  return torch::cat ({params.narrow (2, 0, K), params.narrow (2, K, K) + start,
      params.narrow (2, 2 * K, P - 2 * K)}, 2);
}

torch::Tensor
combine_experts (const torch::Tensor &model_lp, const torch::Tensor &cond_lp, const torch::Tensor &w)
{
  return torch::log_softmax (w[0] * torch::log_softmax (model_lp, -1) + w[1] * cond_lp, -1);
}

}  // namespace pixelrnn
