#include "inpainting/window_fill.h"

#include "api/hole_windows.h"
#include "network/logistic_mixture.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace pixelrnn {

torch::Tensor
inpaint (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    int64_t context, const FillSettings &settings)
{
  const bool single = image.dim () == 3;
  auto batch = single ? image.unsqueeze (0) : image;
  const int64_t H = batch.size (2), W = batch.size (3);
  if (mask.dim () != 2 || mask.size (0) != H || mask.size (1) != W)
    throw std::invalid_argument ("mask is " + std::to_string (mask.size (-1)) + "x" +
        std::to_string (mask.size (0)) + " but the image is " + std::to_string (W) + "x" +
        std::to_string (H));
  auto fill = mask.to (torch::kBool).contiguous ();
  // The same windows as the elements (api/hole_windows): each group of nearby holes is filled in
  // its own window, so the cost follows the holes.
  std::vector<uint8_t> holes (fill.data_ptr<bool> (), fill.data_ptr<bool> () + H * W);
  model->eval ();
  IncrementalEngine engine (model);
  auto out = batch.clone ();
  const int below = fill_rows_below (settings.mode, model->config.has_conditioner (), (int) context);
  for (const auto &box : hole_boxes (holes, (int) W, (int) H, (int) context)) {
    const Rect win = fill_window (box, (int) W, (int) H, (int) context, below);
    auto window = out.narrow (2, win.y, win.h).narrow (3, win.x, win.w).contiguous ();
    auto window_mask = fill.narrow (0, win.y, win.h).narrow (1, win.x, win.w);
    auto filled = inpaint_window (model, engine, window, window_mask, settings).filled;
    out.narrow (2, win.y, win.h).narrow (3, win.x, win.w).copy_ (filled);
  }
  return single ? out.squeeze (0) : out;
}

Conditioning
condition_on_window (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask)
{
  if (!model->conditioner)
    throw std::invalid_argument ("the model has no inpainting conditioner (train one with "
        "pixelrnn train --init MODEL --conditioner N)");
  torch::NoGradGuard no_grad;
  auto hole = mask.to (torch::kFloat32).view ({1, 1, mask.size (0), mask.size (1)});
  Conditioning c;
  c.params = model->conditioner->forward (scale_input (window), hole);
  c.mixtures = model->conditioner->mixtures;
  c.model_weight = model->conditioner->expert_weights[0].item<float> ();
  c.conditioner_weight = model->conditioner->expert_weights[1].item<float> ();
  return c;
}

namespace {

// direct_fill with the conditioner's parameters already computed.
torch::Tensor
direct_fill_from (const Conditioning &c, const torch::Tensor &window, const torch::Tensor &mask)
{
  const int64_t B = window.size (0), C = window.size (1), H = window.size (2), W = window.size (3);
  // Only the hole's positions. The mean is the mixture's closed form sum_k pi_k mu_k (what
  // training's fidelity term shapes), not the expectation of the 256-entry table: the tables
  // of a 32 px hole cost 400 ms, the closed form well under one.
  auto where = mask.to (torch::kBool).reshape ({H * W}).nonzero ().squeeze (1);
  const int64_t N = where.size (0);
  auto params = c.params.reshape ({B, C, c.params.size (2), H * W}).index_select (3, where).unsqueeze (-1);
  auto x = scale_input (window).reshape ({B, C, H * W}).index_select (2, where).unsqueeze (-1);
  auto chosen = torch::empty ({B, C, N}, torch::kUInt8);
  for (int64_t ch = 0; ch < C; ++ch) {
    // Later channels' means read the values already chosen for this pixel.
    auto scaled = mixture_mean (params, x, c.mixtures).select (1, ch).squeeze (-1);   // [B, N]
    auto mean = ((scaled + 1.0) * 127.5).round ().clamp (0, 255);
    chosen.select (1, ch).copy_ (mean);
    x.select (1, ch).copy_ (scale_input (mean).unsqueeze (-1));
  }
  auto out = window.clone ().reshape ({B, C, H * W});
  out.index_copy_ (2, where, chosen);
  return out.view ({B, C, H, W});
}

}  // namespace

torch::Tensor
direct_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask)
{
  torch::NoGradGuard no_grad;
  return direct_fill_from (condition_on_window (model, window, mask), window, mask);
}

ExpertTables
experts_given_direct_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask)
{
  torch::NoGradGuard no_grad;
  const auto c = condition_on_window (model, window, mask);
  ExpertTables t;
  t.fill = direct_fill_from (c, window, mask);
  t.conditioner = mixture_log_probs (c.params, scale_input (t.fill), c.mixtures);
  auto model_lp = torch::log_softmax (model->forward (t.fill), 2);
  t.combined = torch::log_softmax (c.model_weight * model_lp + c.conditioner_weight * t.conditioner, 2);
  return t;
}

namespace {

// The engine keeps every layer's features for every candidate and position: candidates go
// through it in batches that keep those maps under ~256 MB (256 candidates of a 64x48 window
// would need 4.9 GB at once). window: [C, H, W] or [1, C, H, W].
int
candidates_per_batch (PixelModel &model, const torch::Tensor &window, int candidates)
{
  const auto &c = model->config;
  // Per layer 4h features of maps (two-stream blocks: 8h, the vertical stream's too).
  const double per_layer = c.block == Block::TwoStream ? 8.0 * c.hidden : 4.0 * c.hidden;
  const double per_candidate = 4.0 * window.size (-2) * window.size (-1) *
      (per_layer * (c.layers + 2) + c.head_hidden + 256.0 * c.channels);
  return (int) std::clamp<double> ((256 << 20) / per_candidate, 1, std::max (1, candidates));
}

torch::Tensor
table_mean (const torch::Tensor &log_probs)   // [B, C, 256, H, W] -> [B, C, H, W], 0-255 scale
{
  return (log_probs.exp () * torch::arange (256, torch::kFloat32).view ({1, 1, 256, 1, 1})).sum (2);
}

// `window` with every hole value the direct fill's plus `deviation` ([B, C, H, W] float,
// 0-255 levels), rounded.
torch::Tensor
around_direct_fill (const ExpertTables &t, const torch::Tensor &deviation, const torch::Tensor &window,
    const torch::Tensor &mask)
{
  auto hole = mask.to (torch::kBool).view ({1, 1, mask.size (0), mask.size (1)});
  auto v = (t.fill.to (torch::kFloat32) + deviation).round ().clamp (0, 255);
  return torch::where (hole, v.to (torch::kUInt8), window);
}

}  // namespace

torch::Tensor
mean_fill (PixelModel &model, const torch::Tensor &window, const torch::Tensor &mask)
{
  torch::NoGradGuard no_grad;
  const auto t = experts_given_direct_fill (model, window, mask);
  // What the model's expert moves the conditioner's table mean by. Measured against the
  // conditioner's own table, not the direct fill's closed-form mean: the two differ where a
  // wide component's tail folds onto 0 or 255 (bright skies: 0.9 dB at 16 px), and the
  // closed form is the one training pulled to the truth.
  return around_direct_fill (t, table_mean (t.combined) - table_mean (t.conditioner), window, mask);
}

namespace {

// Best-of with a conditioner for one image ([1, C, H, W]): `candidates` fills, each the direct
// fill plus, for every hole value, a draw at `temperature` from the experts given the direct
// fill minus that tempered table's mean; each rescored by the model's log-likelihood of the
// whole window.
WindowFill
best_of_given_direct_fill (PixelModel &model, IncrementalEngine &engine, const torch::Tensor &window,
    const torch::Tensor &mask, const FillSettings &s)
{
  const auto t = experts_given_direct_fill (model, window, mask);
  const auto &lp = t.combined;
  auto generator = at::detail::createCPUGenerator (s.seed);
  std::vector<torch::Tensor> drawn;
  auto tempered = s.temperature > 0 ? lp / s.temperature : lp;
  auto centre = table_mean (torch::log_softmax (tempered, 2));
  for (int k = 0; k < std::max (1, s.candidates); ++k) {
    // Gumbel-max: the argmax of log p / T plus Gumbel noise is a draw from p^(1/T), normalised;
    // T = 0 is the most likely value.
    auto logits = tempered;
    if (s.temperature > 0)
      logits = logits - torch::log (-torch::log (torch::rand (lp.sizes (), generator).clamp_min (1e-12)));
    // The draw's deviation from its table's mean, around the direct fill: the grain is the
    // product of experts', the centre the conditioner's (the model's expert pulls a mean
    // away from the truth: 4.5 dB at 16 px when the draws were centred on its table).
    drawn.push_back (around_direct_fill (t, logits.argmax (2).to (torch::kFloat32) - centre, window, mask));
  }
  auto candidates = torch::cat (drawn);
  std::vector<torch::Tensor> parts;
  const int batch = candidates_per_batch (model, window, (int) candidates.size (0));
  for (int64_t first = 0; first < candidates.size (0); first += batch)
    parts.push_back (engine.log_likelihoods (candidates.narrow (0, first, std::min<int64_t> (batch, candidates.size (0) - first))));
  auto scores = torch::cat (parts);
  WindowFill r;
  r.chosen = (int) scores.argmax ().item<int64_t> ();
  r.scores.assign (scores.data_ptr<double> (), scores.data_ptr<double> () + scores.numel ());
  r.filled = candidates.narrow (0, r.chosen, 1);
  return r;
}

}  // namespace

WindowFill
inpaint_window (PixelModel &model, IncrementalEngine &engine, const torch::Tensor &window,
    const torch::Tensor &mask, const FillSettings &settings)
{
  torch::NoGradGuard no_grad;
  FillSettings s = settings;
  s.mode = resolve_fill_mode (s.mode, model->config.has_conditioner ());
  WindowFill r;
  if (s.mode == FillMode::Direct) {
    r.filled = direct_fill (model, window, mask);
    return r;
  }
  const bool conditioned = model->config.has_conditioner ();
  // With a conditioner, mean and best-of start from what it knows: its fill of the whole hole
  // is the context every value of the product of experts reads (raster order alone drifts:
  // each mean reads earlier means and never the hole's far side).
  if (conditioned && s.mode == FillMode::Mean) {
    r.filled = mean_fill (model, window, mask);
    return r;
  }
  SamplingOptions opts{s.mode == FillMode::Greedy ? 0.0 : s.temperature, s.seed,
      s.mode == FillMode::Mean};
  if (s.mode == FillMode::BestOf && (conditioned || s.candidates > 1)) {
    // Each image keeps its own best candidate; image 0's scores are reported.
    std::vector<torch::Tensor> best;
    for (int64_t b = 0; b < window.size (0); ++b) {
      WindowFill one;
      if (conditioned) {
        FillSettings seeded = s;
        seeded.seed = s.seed + 0x9E3779B97F4A7C15ull * (uint64_t) b;
        one = best_of_given_direct_fill (model, engine, window.narrow (0, b, 1), mask, seeded);
      } else {
        auto result = best_of_fill (model, engine, window[b], mask, s.candidates, opts);
        one.filled = result.filled.unsqueeze (0);
        one.scores.assign (result.scores.data_ptr<double> (), result.scores.data_ptr<double> () + result.scores.numel ());
        one.chosen = (int) result.chosen;
      }
      if (b == 0) {
        r.scores = one.scores;
        r.chosen = one.chosen;
      }
      best.push_back (one.filled);
    }
    r.filled = torch::cat (best);
    return r;
  }
  Conditioning c;
  if (conditioned)
    c = condition_on_window (model, window, mask);
  r.filled = engine.fill (window, mask, opts, nullptr, conditioned ? &c : nullptr);
  return r;
}

BestOfResult
best_of_fill (PixelModel &model, IncrementalEngine &engine, const torch::Tensor &window,
    const torch::Tensor &mask, int candidates, const SamplingOptions &options)
{
  if (candidates < 1)
    throw std::invalid_argument ("best-of needs at least one candidate");
  torch::NoGradGuard no_grad;
  const int batch = candidates_per_batch (model, window, candidates);
  std::vector<torch::Tensor> drawn, scores;
  for (int first = 0, round = 0; first < candidates; first += batch, ++round) {
    const int n = std::min (batch, candidates - first);
    SamplingOptions opts = options;
    opts.seed = options.seed + 0x9E3779B97F4A7C15ull * (uint64_t) round;
    auto many = window.unsqueeze (0).expand ({n, -1, -1, -1}).contiguous ();
    auto filled = engine.fill (many, mask, opts);
    // The window's log-likelihood under the model: the engine's teacher-forced pass, a
    // product per layer and row for all candidates (best-of 1.4-3.5x faster than with the
    // parallel model's pass, bench-inpaint).
    scores.push_back (engine.log_likelihoods (filled));
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
