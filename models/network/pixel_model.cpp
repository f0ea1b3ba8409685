#include "pixel_model.h"

#include "network/diagonal_bilstm.h"
#include "network/logistic_mixture.h"
#include "network/pixelcnn_block.h"
#include "network/row_lstm.h"
#include "network/two_stream_block.h"

#include <torch/nn/modules/activation.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace pixelrnn {

torch::Tensor
scale_input (const torch::Tensor &x)
{
  return x.to (torch::kFloat32) * (2.0 / 255.0) - 1.0;
}

PixelModelImpl::PixelModelImpl (const ModelConfig &c) : config (c)
{
  reset ();
}

void
PixelModelImpl::reset ()
{
  const ModelConfig &c = config;
  vertical_input = nullptr;   // optional parts: only what this config has
  conditioner = nullptr;
  coarse = nullptr;
  lift = nullptr;
  std::string err = c.validate ();
  if (!err.empty ())
    throw std::invalid_argument ("invalid model config: " + err);
  const int C = c.channels, h = c.hidden;
  input_conv = register_module ("input_conv", MaskedConv2d (MaskedConv2dOptions{
      C, 2 * h, c.input_kernel, c.input_kernel, MaskType::A, C}));
  body = register_module ("body", torch::nn::Sequential ());
  const bool two_stream = c.architecture == Architecture::PixelCNN && c.block == Block::TwoStream;
  if (two_stream)
    vertical_input = register_module ("vertical_input", ShiftedConv2d (ShiftedConv2dOptions{
        C, 2 * h, std::max (1, c.input_kernel / 2), c.input_kernel, Shift::Above}));
  for (int l = 0; l < c.layers; ++l) {
    switch (c.architecture) {
      case Architecture::PixelCNN:
        if (two_stream)
          body->push_back (TwoStreamBlock (h, C, c.dropout));
        else
          body->push_back (PixelCNNBlock (h, C, c.block, c.dropout));
        break;
      case Architecture::RowLSTM: body->push_back (RowLSTM (h, C, c.row_kernel)); break;
      case Architecture::DiagonalBiLSTM: body->push_back (DiagonalBiLSTM (h, C)); break;
    }
  }
  head_hidden = register_module ("head_hidden", MaskedConv2d (MaskedConv2dOptions{
      2 * h, c.head_hidden, 1, 1, MaskType::B, C}));
  head_out = register_module ("head_out", MaskedConv2d (MaskedConv2dOptions{
      c.head_hidden, c.params_per_channel () * C, 1, 1, MaskType::B, C}));
  if (c.has_conditioner ())
    conditioner = register_module ("conditioner", Conditioner (C, c.conditioner_hidden,
        c.conditioner_layers, c.conditioner_mixtures, c.conditioner_base));
  if (c.multi_scale ()) {
    coarse = register_module ("coarse", std::make_shared<PixelModelImpl> (c.coarse ()));
    const int k = 2 * c.coarse_hidden;
    auto conv = [] (int in, int out, int kernel, int dilation) {
      return torch::nn::Conv2d (torch::nn::Conv2dOptions (in, out, kernel)
          .padding (dilation * (kernel / 2)).dilation (dilation));
    };
    lift = register_module ("lift", torch::nn::Sequential (
        conv (C, k, 3, 1), torch::nn::ReLU (), conv (k, k, 3, 2), torch::nn::ReLU (),
        conv (k, k, 3, 4), torch::nn::ReLU (), conv (k, 2 * h, 1, 1)));
  }
  // Start near a flat distribution (8 bits/dim) rather than at a random confident one.
  torch::NoGradGuard no_grad;
  if (lift) {
    // ... and a multi-scale model as its one-scale self: the view of s starts at zero.
    auto *last = lift->ptr (lift->size () - 1)->as<torch::nn::Conv2dImpl> ();
    last->weight.zero_ ();
    last->bias.zero_ ();
  }
  head_out->weight.mul_ (0.1);
  if (c.output == Output::Mixture) {
    // Log-scales start at -3 (a component a few values wide) instead of 0 (half the range):
    // Adam moves a bias by about the learning rate per step, so from 0 the scales need
    // thousands of steps just to reach the width of real pixel noise.
    const int K = c.mixtures, P = c.params_per_channel ();
    for (int ch = 0; ch < C; ++ch)
      head_out->bias.narrow (0, ch * P + 2 * K, K).fill_ (-3.0);
  }
}

torch::Tensor
PixelModelImpl::subsample (const torch::Tensor &x) const
{
  const int64_t f = config.scale;
  return x.slice (2, 0, x.size (2), f).slice (3, 0, x.size (3), f);
}

torch::Tensor
PixelModelImpl::coarse_view (const torch::Tensor &s_scaled)
{
  return lift->forward (s_scaled);
}

torch::Tensor
PixelModelImpl::conditioning (const torch::Tensor &s_scaled, int64_t height, int64_t width)
{
  const int64_t f = config.scale;
  return coarse_view (s_scaled).repeat_interleave (f, 2).repeat_interleave (f, 3)
      .narrow (2, 0, height).narrow (3, 0, width);
}

torch::Tensor
PixelModelImpl::params (const torch::Tensor &x)
{
  auto p = head (features (x));
  if (!coarse)
    return p;
  const int64_t f = config.scale, H = x.size (2), W = x.size (3);
  const auto s = subsample (x);
  p = p.clone ();
  p.slice (3, 0, H, f).slice (4, 0, W, f).copy_ (coarse->head (coarse->features (s)));
  return p;
}

torch::Tensor
PixelModelImpl::features (const torch::Tensor &x)
{
  auto y = input_conv (x);
  if (lift)
    y = y + conditioning (subsample (x), x.size (2), x.size (3));
  if (vertical_input) {
    auto v = vertical_input (x);
    for (size_t l = 0; l < body->size (); ++l)
      std::tie (v, y) = body->ptr (l)->as<TwoStreamBlockImpl> ()->forward (v, y);
    return y;
  }
  return body->is_empty () ? y : body->forward (y);
}

torch::Tensor
PixelModelImpl::head (const torch::Tensor &f)
{
  auto y = head_out (torch::relu (head_hidden (torch::relu (f))));
  return y.view ({f.size (0), config.channels, config.params_per_channel (), f.size (2), f.size (3)});
}

torch::Tensor
PixelModelImpl::distribution (const torch::Tensor &params, const torch::Tensor &x_scaled)
{
  if (config.output == Output::Softmax)
    return params;
  return mixture_log_probs (params, x_scaled, config.mixtures);
}

torch::Tensor
PixelModelImpl::nll (const torch::Tensor &params, const torch::Tensor &x)
{
  if (config.output == Output::Mixture)
    return mixture_nll (params, x, config.mixtures);
  auto lp = torch::log_softmax (params, 2);
  return -lp.gather (2, x.to (torch::kLong).unsqueeze (2)).squeeze (2);
}

torch::Tensor
PixelModelImpl::forward_float (const torch::Tensor &x)
{
  return distribution (params (x), x);
}

torch::Tensor
PixelModelImpl::forward (const torch::Tensor &x)
{
  if (x.dim () != 4 || x.size (1) != config.channels)
    throw std::invalid_argument ("model expects [B, " + std::to_string (config.channels) +
        ", H, W] input");
  return forward_float (scale_input (x));
}

int64_t
PixelModelImpl::parameter_count () const
{
  int64_t n = 0;
  for (const auto &p : parameters ())
    n += p.numel ();
  return n;
}

}  // namespace pixelrnn
