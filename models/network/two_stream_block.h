// The two-stream gated PixelCNN block (van den Oord et al. 2016, "Conditional Image Generation
// with PixelCNN Decoders", built from PixelCNN++'s shifted convolutions): a vertical stream
// that sees every row above and a horizontal stream that sees the row so far plus the
// vertical stream, so the receptive field has no blind spot. Each stream carries 2h features:
//   vertical    v' = v + 1x1 (2h) (gate (Down 2x3 (2h as pairs a, b) (ReLU 1x1 (h) (ReLU v))))
//   horizontal  h' = h + 1x1 (2h) (gate (DownRight 2x2, mask B (2h) (ReLU 1x1 (h) (ReLU h))
//                                        + 1x1 (2h) (ReLU v')))
// gate: a * sigmoid(b). The horizontal stream keeps MaskedConv2d's R, G, B groups; the
// vertical one needs none (it holds no value of its own row). Optional dropout (training
// only) before each stream's 2-row convolution.
#pragma once

#include <torch/nn/cloneable.h>

#include "network/masked_conv.h"
#include "network/shifted_conv.h"

#include <utility>

namespace pixelrnn {

class TwoStreamBlockImpl : public torch::nn::Cloneable<TwoStreamBlockImpl> {
 public:
  TwoStreamBlockImpl (int hidden, int colour_groups, float dropout = 0.f);
  // (Re)creates every parameter and submodule from the settings: clone () calls it.
  void reset () override;
  // (v, h) -> (v', h')
  std::pair<torch::Tensor, torch::Tensor> forward (const torch::Tensor &v, const torch::Tensor &h);

  MaskedConv2d v_reduce{nullptr}, v_expand{nullptr};
  ShiftedConv2d v_conv{nullptr};
  MaskedConv2d reduce{nullptr}, link{nullptr}, expand{nullptr};
  ShiftedConv2d conv{nullptr};
  int hidden;
  float dropout;
  int groups;
};
TORCH_MODULE (TwoStreamBlock);

}  // namespace pixelrnn
