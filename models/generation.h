// Generation front door for tools and elements: unconditional sampling and inpainting of a
// masked region, seen through a window around the hole so that the cost follows the hole.
#pragma once

#include "pixel_model.h"
#include "value_sampler.h"

namespace pixelrnn {

// `count` images [count, C, height, width] uint8.
torch::Tensor generate (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options);

// Fills `mask` ([H, W], non-zero = fill) in `image` ([C, H, W] or [B, C, H, W] uint8). The
// model sees the hole's bounding box widened by `context` pixels left, right and above (what
// a raster-order model conditions on). Values outside the mask are returned unchanged.
torch::Tensor inpaint (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    int64_t context, const SamplingOptions &options);

}  // namespace pixelrnn
