// The inpainting conditioner (Pixel Constrained CNN, Dupont & Suresha 2019): an ordinary,
// unmasked convolutional network that reads the window around a hole, with the hole blanked
// and marked, and predicts every hole sub-pixel knowing the pixels on all four sides of it.
// The autoregressive model alone reads only what lies above and to the left.
//
//   membrane fill of the hole (harmonic_fill.h) [+ axis fill (axis_fill.h)] + hole mask  ->  3x3 conv  ->
//   `layers` residual blocks (ReLU, 3x3 conv dilated 1, 2, 4, 8, 16, ..., ReLU, 1x1 conv)  ->
//   ReLU, 1x1 conv  ->  a discretized logistic mixture per sub-pixel (logistic_mixture.h)
//
// The mixture's means are offsets from a classical fill (the base: the membrane, or, in models
// trained since the axis fill, the axis fill, which the network then reads beside the
// membrane), so the network starts as a classical inpainter and learns corrections. Its G and B means are linear in the pixel's
// earlier channels like the model's own mixture (legal: R is drawn before G).
//
// Filling combines the two as a product of experts over the 256 values of each sub-pixel:
//   log p(v) = softmax_v (a * log p_model(v | above, left) + b * log p_conditioner(v | surround))
// with the two weights a, b learned (expert_weights). Adding logits is how the Pixel Constrained
// CNN joins its prior and conditioning networks; the weights let training decide how far to
// trust each. The model's own likelihood path never sees the conditioner.
#pragma once

#include <torch/nn/cloneable.h>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include "network/model_config.h"

namespace pixelrnn {

class ConditionerImpl : public torch::nn::Cloneable<ConditionerImpl> {
 public:
  ConditionerImpl (int channels, int hidden, int layers, int mixtures,
      ConditionerBase base = ConditionerBase::Membrane);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;

  // x_scaled: [B, C, H, W] on the network scale [-1, 1] (hole values are ignored);
  // hole: [B or 1, 1, H, W], 1 in the hole. Returns mixture parameters [B, C, P, H, W].
  torch::Tensor forward (const torch::Tensor &x_scaled, const torch::Tensor &hole);

  int channels, hidden, layers, mixtures;
  ConditionerBase base;
  torch::nn::Conv2d input{nullptr}, output{nullptr};
  torch::nn::ModuleList dilated{nullptr}, mix{nullptr};
  torch::Tensor expert_weights;  // [2]: a (the autoregressive model), b (the conditioner)
};
TORCH_MODULE (Conditioner);

// Dilation of residual block `layer`: 1, 2, 4, 8, 16, then again from 1.
int conditioner_dilation (int layer);

// The product of experts above, normalised: log-probs [..., 256] from the model's
// log-distribution (or logits) and the conditioner's, both [..., 256].
torch::Tensor combine_experts (const torch::Tensor &model_log_probs,
    const torch::Tensor &conditioner_log_probs, const torch::Tensor &expert_weights);

}  // namespace pixelrnn
