// PixelModel: one network of the PixelRNN family, built from a ModelConfig.
//
//   7x7 mask-A conv (C -> 2h)  ->  residual layers (PixelCNN blocks, Row LSTM or
//   Diagonal BiLSTM)  ->  ReLU, 1x1 mask B (head_hidden), ReLU, 1x1 mask B (C x P)
//
// Two-stream PixelCNN blocks also carry a vertical stream, started by a 3x7 convolution of
// the rows above (`vertical_input`); the head reads the horizontal stream.
//
// Multi-scale models (config.scale = f > 1; van den Oord et al. 2016, section 3.5): the
// pixels at every f-th row and column from the first (the subsampled image s) are modelled
// by `coarse`, a model of the same family on s alone; every other pixel by this network, whose
// first layer also adds `lift`'s view of the whole of s (unmasked dilated 3x3 convolutions on
// s, repeated over each f x f block). log p(x) = log p(s) + log p(x without s | s) exactly (x
// and (s, the rest) determine each other), and no prediction reads a pixel of the rest that
// does not precede it: s is all conditioning (test_causality.cpp proves both).
//
// P is 256 logits (the paper's softmax) or a discretized logistic mixture's parameters.
// forward() is the parallel path: one pass gives the log-distribution over the 256 values of
// every sub-pixel, [B, C, 256, H, W], each conditioned only on what precedes it in
// raster-then-channel order.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/conditioner.h"
#include "network/masked_conv.h"
#include "network/model_config.h"
#include "network/shifted_conv.h"

#include <torch/nn/modules/container/sequential.h>

namespace pixelrnn {

class PixelModelImpl : public torch::nn::Cloneable<PixelModelImpl> {
 public:
  explicit PixelModelImpl (const ModelConfig &config);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;

  // x: uint8 [B, C, H, W] -> logits [B, C, 256, H, W] (for the mixture, normalized log-probs).
  torch::Tensor forward (const torch::Tensor &x);
  // The same on already-scaled float input (values in [-1, 1]); lets tests take Jacobians.
  torch::Tensor forward_float (const torch::Tensor &x);

  // The parts of forward_float: features [B, 2h, H, W] of every position; the 1x1 head
  // turning any slice of them into output parameters [B, C, P, H, W]; and those parameters
  // as logits over the 256 values, given the (scaled) image they were computed on: the
  // mixture's G and B means read the pixel's earlier channels. Lets large images be scored
  // a few rows at a time.
  torch::Tensor features (const torch::Tensor &x);
  torch::Tensor head (const torch::Tensor &features);
  torch::Tensor distribution (const torch::Tensor &params, const torch::Tensor &x_scaled);
  // -log p of each observed value, nats, [B, C, H, W], from head parameters; for the mixture
  // evaluated only at the observed values. x: uint8.
  torch::Tensor nll (const torch::Tensor &params, const torch::Tensor &x);
  // Head parameters of every sub-pixel, [B, C, P, H, W]: head (features (x)), with the coarse
  // model's at the subsampled positions in a multi-scale model.
  torch::Tensor params (const torch::Tensor &x_scaled);
  // Multi-scale: every scale-th row and column of `x` from the first; lift's view of it at its
  // own size, [B, 2h, H / scale, W / scale] (rounded up); and that view repeated over each
  // block and cut to H x W, [B, 2h, H, W].
  torch::Tensor subsample (const torch::Tensor &x) const;
  torch::Tensor coarse_view (const torch::Tensor &s_scaled);
  torch::Tensor conditioning (const torch::Tensor &s_scaled, int64_t height, int64_t width);

  int64_t parameter_count () const;

  ModelConfig config;
  MaskedConv2d input_conv{nullptr}, head_hidden{nullptr}, head_out{nullptr};
  torch::nn::Sequential body{nullptr};
  ShiftedConv2d vertical_input{nullptr};   // two-stream blocks only
  // Present when config.has_conditioner (): inpainting reads the hole's whole surround.
  Conditioner conditioner{nullptr};
  // Multi-scale models only: the model of the subsampled image and its view for this one.
  std::shared_ptr<PixelModelImpl> coarse;
  torch::nn::Sequential lift{nullptr};
};
TORCH_MODULE (PixelModel);

// uint8 pixels -> the float scale the network reads.
torch::Tensor scale_input (const torch::Tensor &x);

}  // namespace pixelrnn
