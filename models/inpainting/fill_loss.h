// Training the inpainting conditioner: holes shaped like the ones users mask, and the loss of
// the Pixel Constrained CNN, measured on the hole's values only.
#pragma once

#include "network/pixel_model.h"

#include <random>

namespace pixelrnn {

// [B, 1, H, W] float, 1 in the hole. Each image gets one of: a rectangle with sides of
// 4..min(64, 3/4 of the image) (most often; the masks of logos, captions and boxes), a thin
// strip 1..4 wide (scratches, lines), or a blob of a few overlapping ellipses (objects).
torch::Tensor random_holes (int64_t count, int64_t height, int64_t width, std::mt19937_64 &rng);

// Weight of the fidelity term: the mean over images of log(squared error of the
// conditioner's mean over that image's hole), i.e. minus the hole's PSNR / 10 log10(e), the
// figure users compare. NLL alone let the mean drift from the truth while the likelihood
// improved (250 steps: direct-mode PSNR fell from the membrane's 36.6 dB to 32.8 dB at 16x16);
// a plain squared error (weight 100) still fell to 34.3 dB, because it weighs every value
// alike and smooth holes, where the membrane is already within a level, lost their
// precision. The log per hole weighs each hole's PSNR alike, as the evaluation does.
constexpr double kFidelityWeight = 4.0;
// Floor of a hole's mean squared error in the log, [-1, 1] scale (0.13 levels RMS).
constexpr double kFidelityFloor = 1e-6;

struct FillLoss {
  // differentiable: combined NLL + conditioner-alone NLL (nats) + the mean's weighted squared error
  torch::Tensor loss;
  double combined_bits = 0;    // bits per hole sub-pixel under the product of experts
  double conditioner_bits = 0; // the same for the conditioner alone
  double mean_rmse = 0;        // the conditioner's mean against the truth, 8-bit levels
};

// x: uint8 [B, C, H, W], hole as from random_holes. The model's own weights are held fixed
// (its likelihood path must not change); only the conditioner learns.
// `fidelity_weight` weighs the fidelity term (kFidelityWeight unless a run says otherwise).
// Without `with_experts` the raster-order model is not run: the loss is the conditioner's own
// NLL and the fidelity term (a step then costs the conditioner's passes alone; the experts'
// weights get no gradient) and combined_bits reports the conditioner's bits.
FillLoss fill_loss (PixelModel &model, const torch::Tensor &x, const torch::Tensor &hole,
    double fidelity_weight = kFidelityWeight, bool with_experts = true);

}  // namespace pixelrnn
