// Builds a FramePlan from a PixelModel's weights (masks applied, zeros dropped).
#pragma once

#include "network/pixel_model.h"
#include "scoring/frame_plan.h"

namespace pixelrnn {

// Throws std::invalid_argument with frame_plan_unsupported's reason for other models.
FramePlan make_frame_plan (PixelModel &model);

}  // namespace pixelrnn
