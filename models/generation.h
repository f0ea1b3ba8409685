// Generation front door for tools and elements: unconditional sampling and inpainting of a
// masked region, seen through a window around the hole so that the cost follows the hole.
#pragma once

#include "incremental_engine.h"
#include "pixel_model.h"
#include "value_sampler.h"

namespace pixelrnn {

// `count` images [count, C, height, width] uint8.
torch::Tensor generate (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options);

// Fills `mask` ([H, W], non-zero = fill) in `image` ([C, H, W] or [B, C, H, W] uint8). Holes
// are grouped into windows exactly as the elements group them (hole_regions.h): each window
// is a group's bounding box widened by `context` pixels left, right and above (what a
// raster-order model conditions on). With candidates > 1, each image keeps the best of that
// many fills (best_of_fill below) judged on a window reaching `context` rows below the hole.
// Values outside the mask are returned unchanged.
torch::Tensor inpaint (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    int64_t context, const SamplingOptions &options, int candidates = 1);

// Best-of inpainting: `candidates` fills of `window` ([C, H, W] uint8) drawn as one batch by
// `engine`, each rescored by the parallel model's log-likelihood of the whole window. The
// known pixels are the same in every candidate, so that ranks them by the likelihood of the
// hole together with every known pixel after it (right of and below the hole): what a
// raster-order sampler cannot see while it draws.
struct BestOfResult {
  torch::Tensor candidates;  // [K, C, H, W] uint8
  torch::Tensor scores;      // [K] double, log-likelihood in nats
  int64_t chosen = 0;        // argmax of scores
  torch::Tensor filled;      // candidates[chosen]
};
BestOfResult best_of_fill (PixelModel &model, IncrementalEngine &engine,
    const torch::Tensor &window, const torch::Tensor &mask, int candidates,
    const SamplingOptions &options);

}  // namespace pixelrnn
