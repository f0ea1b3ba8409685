// The axis fill (axis_fill.h) turned along the edges around each hole. Rows and columns carry
// a horizontal or vertical edge across a hole; an edge at 45 degrees they break into a blur.
// For each hole (8-connected), the structure tensor of the known band 2-4 px around its
// bounding box gives the dominant edge direction and its coherence c (0: no direction, 1: one
// straight edge). The hole is filled by linear interpolation between the nearest known values
// along that direction (the nearest of 0, 45, 90 and 135 degrees, each end the mean of three
// known neighbours across the line of sight) and blended with the axis fill:
//   c * along the edge + (1 - c) * axis fill.
// Measured on 41 + 42 held-out photographs (runs/natural-heldout at 480 px, two holes per
// picture and size, chosen before the held-out figures of docs/benchmarks.md were taken):
// +0.90 / +0.40 / +0.36 and +1.66 / +0.93 / +0.72 dB over the axis fill at 16 / 32 / 64 px.
// Linear along any direction, it still reproduces a plane exactly.
#pragma once

#include <torch/types.h>

namespace pixelrnn {

// x: float [B, C, H, W]; known: float [B or 1, 1, H, W], 1 where x is known; axis: the axis
// fill of x (axis_fill.h). Returns `axis` with each hole's values moved along its edge as
// above. Known values are unchanged. Not differentiable (a fixed input).
torch::Tensor steered_fill (const torch::Tensor &x, const torch::Tensor &known, const torch::Tensor &axis);

}  // namespace pixelrnn
