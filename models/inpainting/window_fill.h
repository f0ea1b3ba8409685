// Inpainting a masked region, seen through a window around the hole so that the cost follows
// the hole, in every mode: the raster-order modes through the incremental engine (with the
// conditioner's product of experts where the model has one), direct (the conditioner alone)
// and best-of. The one code path of the elements and the command line.
#pragma once

#include "api/fill_settings.h"
#include "generation/incremental_engine.h"
#include "generation/value_sampler.h"
#include "network/pixel_model.h"

#include <vector>

namespace pixelrnn {

// Fills `mask` ([H, W], non-zero = fill) in `image` ([C, H, W] or [B, C, H, W] uint8). Holes
// are grouped into windows exactly as the elements group them (api/hole_windows.h): each window
// is a group's bounding box widened by `context` pixels left, right and above (what a
// raster-order model conditions on), and below when the fill reads below (fill_rows_below).
// Each window is filled by inpaint_window. Values outside the mask are returned unchanged.
torch::Tensor inpaint (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    int64_t context, const FillSettings &settings);

// One window ([B, C, H, W] uint8, every image with the same hole `mask` [H, W]) filled as
// `settings` say: the one code path of the elements and the command line. With a model that
// has an inpainting conditioner, sample, greedy, mean and best-of draw from the product of
// experts (conditioner.h); direct needs the conditioner.
struct WindowFill {
  torch::Tensor filled;          // [B, C, H, W] uint8
  std::vector<double> scores;    // best-of: each candidate's log-likelihood (nats), image 0
  int chosen = -1;               // best-of: the candidate kept, image 0
};
WindowFill inpaint_window (PixelModel &model, IncrementalEngine &engine, const torch::Tensor &window,
    const torch::Tensor &mask, const FillSettings &settings);

// The conditioner's parameters for a window and its hole ([B, C, P, H, W]).
Conditioning condition_on_window (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask);

// The conditioner alone: its mixture's mean (closed form) for every hole value, channels in
// order (G's mean reads the R just chosen). One pass of the network, no raster-order steps.
torch::Tensor direct_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask);

// The product of experts (conditioner.h) for every value of the window, each read against the
// conditioner's direct fill as its context: one parallel pass of the model over the filled
// window, so no value reads earlier guesses of its own (raster order drifts: each mean reads
// earlier means and never the hole's far side).
struct ExpertTables {
  torch::Tensor fill;          // the direct fill, uint8 [B, C, H, W]
  torch::Tensor conditioner;   // the conditioner's log-probs, [B, C, 256, H, W]
  torch::Tensor combined;      // the product of experts', [B, C, 256, H, W]
};
ExpertTables experts_given_direct_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask);

// `mean` with a conditioner: every hole value the mean of experts_given_direct_fill's
// combined table, moved by the direct fill's offset from the conditioner table's own mean
// (what the model's expert adds to the conditioner's mean). docs/benchmarks.md measures it.
torch::Tensor mean_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask);

// Best-of inpainting without a conditioner: `candidates` fills of `window` ([C, H, W] uint8) drawn as one batch by
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
