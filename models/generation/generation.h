// Unconditional sampling through the incremental engine (inpainting is inpainting/window_fill.h).
#pragma once

#include "generation/incremental_engine.h"
#include "network/pixel_model.h"
#include "generation/value_sampler.h"

#include <vector>

namespace pixelrnn {

// `count` images [count, C, height, width] uint8.
torch::Tensor generate (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options);

}  // namespace pixelrnn
