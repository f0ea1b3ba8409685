#include "generation.h"

#include "incremental_engine.h"
#include "likelihood.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace pixelrnn {

torch::Tensor
generate (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options)
{
  model->eval ();
  IncrementalEngine engine (model);
  auto blank = torch::zeros ({count, model->config.channels, height, width}, torch::kUInt8);
  return engine.fill (blank, torch::ones ({height, width}, torch::kBool), options);
}

torch::Tensor
inpaint (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    int64_t context, const SamplingOptions &options, int candidates)
{
  const bool single = image.dim () == 3;
  auto batch = single ? image.unsqueeze (0) : image;
  const int64_t H = batch.size (2), W = batch.size (3);
  if (mask.dim () != 2 || mask.size (0) != H || mask.size (1) != W)
    throw std::invalid_argument ("mask is " + std::to_string (mask.size (-1)) + "x" +
        std::to_string (mask.size (0)) + " but the image is " + std::to_string (W) + "x" +
        std::to_string (H));
  auto fill = mask.to (torch::kBool);
  auto rows = fill.any (1).nonzero (), cols = fill.any (0).nonzero ();
  if (rows.numel () == 0)
    return image.clone ();
  const int64_t y0 = rows.min ().item<int64_t> (), y1 = rows.max ().item<int64_t> () + 1;
  const int64_t x0 = cols.min ().item<int64_t> (), x1 = cols.max ().item<int64_t> () + 1;
  const int64_t wy0 = std::max<int64_t> (0, y0 - context);
  const int64_t wy1 = candidates > 1 ? std::min (H, y1 + context) : y1;
  const int64_t wx0 = std::max<int64_t> (0, x0 - context), wx1 = std::min (W, x1 + context);
  model->eval ();
  auto window = batch.narrow (2, wy0, wy1 - wy0).narrow (3, wx0, wx1 - wx0).contiguous ();
  auto window_mask = fill.narrow (0, wy0, wy1 - wy0).narrow (1, wx0, wx1 - wx0);
  IncrementalEngine engine (model);
  torch::Tensor filled;
  if (candidates > 1) {
    std::vector<torch::Tensor> best;
    for (int64_t b = 0; b < window.size (0); ++b)
      best.push_back (best_of_fill (model, engine, window[b], window_mask, candidates, options).filled);
    filled = torch::stack (best);
  } else {
    filled = engine.fill (window, window_mask, options);
  }
  auto out = batch.clone ();
  out.narrow (2, wy0, wy1 - wy0).narrow (3, wx0, wx1 - wx0).copy_ (filled);
  return single ? out.squeeze (0) : out;
}

BestOfResult
best_of_fill (PixelModel &model, IncrementalEngine &engine, const torch::Tensor &window,
    const torch::Tensor &mask, int candidates, const SamplingOptions &options)
{
  if (candidates < 1)
    throw std::invalid_argument ("best-of needs at least one candidate");
  torch::NoGradGuard no_grad;
  // The engine keeps every layer's features for every candidate and position: draw the
  // candidates in batches that keep those maps under ~256 MB (256 candidates of a 64x48
  // window would need 4.9 GB at once).
  const auto &c = model->config;
  const double per_candidate = 4.0 * window.size (1) * window.size (2) *
      (4.0 * c.hidden * (c.layers + 2) + c.head_hidden + 256.0 * c.channels);
  const int batch = (int) std::clamp<double> ((256 << 20) / per_candidate, 1, candidates);
  std::vector<torch::Tensor> drawn, scores;
  for (int first = 0, round = 0; first < candidates; first += batch, ++round) {
    const int n = std::min (batch, candidates - first);
    SamplingOptions opts = options;
    opts.seed = options.seed + 0x9E3779B97F4A7C15ull * (uint64_t) round;
    auto many = window.unsqueeze (0).expand ({n, -1, -1, -1}).contiguous ();
    auto filled = engine.fill (many, mask, opts);
    scores.push_back (-nll_map (model, filled).to (torch::kFloat64).sum ({1, 2, 3}));
    drawn.push_back (filled);
  }
  BestOfResult r;
  r.candidates = drawn.size () == 1 ? drawn[0] : torch::cat (drawn);
  r.scores = scores.size () == 1 ? scores[0] : torch::cat (scores);
  r.chosen = r.scores.argmax ().item<int64_t> ();
  r.filled = r.candidates[r.chosen];
  return r;
}

}  // namespace pixelrnn
