// The reference sampler: one full parallel forward pass per generated value, in raster order
// and R, G, B within a pixel. Slow on purpose; it is the ground truth the incremental engine
// is tested against.
#pragma once

#include "generation/incremental_engine.h"
#include "network/pixel_model.h"
#include "generation/value_sampler.h"

namespace pixelrnn {

// Fills the values of `image` ([B, C, H, W] uint8) where `mask` ([H, W], non-zero = fill) is
// set and returns the result; values outside the mask are copied unchanged. If
// `used_log_probs` is given it receives [B, C, 256, H, W] holding, at each filled position,
// the (untempered) log-distribution the value was drawn from, and zeros elsewhere. With
// `conditioning`, each value comes from the product of experts with the conditioner
// (incremental_engine.h), the conditioner's table computed by the tensor code.
torch::Tensor fill_naive (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    const SamplingOptions &options, torch::Tensor *used_log_probs = nullptr,
    const Conditioning *conditioning = nullptr);

// Unconditional generation of `count` images of height x width.
torch::Tensor sample_naive (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options);

}  // namespace pixelrnn
