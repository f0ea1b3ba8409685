// A smooth first guess for the inside of a hole: the membrane (harmonic) interpolation of its
// border, the solution of Laplace's equation that Navier-Stokes and Telea inpainting
// approximate. The conditioner (conditioner.h) starts from it, so a freshly built conditioner
// already fills as well as the classical methods and its training only has to learn what a
// membrane cannot: edges, texture, colour changes.
#pragma once

#include <torch/types.h>

namespace pixelrnn {

// x: float [B, C, H, W]; known: float [B or 1, 1, H, W], 1 where x is known, 0 in the hole.
// Returns x with every hole value replaced by the membrane through the known values (coarse
// to fine: known values averaged down a pyramid until every cell has one, then brought back
// up and relaxed by Jacobi sweeps of the 4-neighbour mean). Known values are unchanged; an
// image with no known value comes back all zeros. Not differentiable (a fixed input).
torch::Tensor harmonic_fill (const torch::Tensor &x, const torch::Tensor &known);

}  // namespace pixelrnn
