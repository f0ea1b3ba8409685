// The incremental engine's steps: one position (or a wave) at a time, or a run of known
// positions at once, through the input convolution, each layer (its architecture's
// LayerStepper) and the head; convolutions split by the rows their taps read.
#include "generation/incremental_engine_impl.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

void
IncrementalEngine::Impl::run (const DenseStep &s, const FeatureMap &m, const Positions &at,
    bool relu, int g0, int g1, float *out, int ld, bool accumulate)
{
  macs += apply_at (s, m, at, relu, g0, g1, out, ld, accumulate);
}

void
IncrementalEngine::Impl::run_split (const SplitConv &conv, const FeatureMap &m,
    const Positions &at, int g0, int g1, float *early, float *out, int ld)
{
  const auto &own = conv.own;
  const int rows = at.n * B, width = conv.above.out;
  if (g0 == 0) {
    if (at.n == 1 && at.i == hole_row && at.j >= hole_a && at.j < hole_b)
      for (int b = 0; b < B; ++b)
        std::copy_n (conv.prepared.data () + ((size_t) (at.j - hole_a) * B + b) * width, width,
            early + (size_t) b * ld);
    else
      macs += apply_at (conv.above, m, at, false, 0, 1, early, ld, false);
    macs += apply_taps (conv.left, m, at, false, 0, 1, early, ld);
  }
  const int o0 = own.first (g0), o1 = own.first (g1);
  if (early != out)
    for (int r = 0; r < rows; ++r)
      std::copy (early + (size_t) r * ld + o0, early + (size_t) r * ld + o1, out + (size_t) r * ld + o0);
  if (!own.taps.empty ())
    macs += apply_taps (own, m, at, false, g0, g1, out, ld);
}

void
IncrementalEngine::Impl::prepare_hole_run (int i, int a, int b)
{
  hole_row = -1;
  if (kind != Architecture::PixelCNN)
    return;
  const auto prepare = [&] (SplitConv &conv, const FeatureMap &m) {
    conv.prepared.resize ((size_t) (b - a) * B * conv.above.out);
    macs += apply_at (conv.above, m, i, a, b, false, 0, 1, conv.prepared.data (),
        conv.above.out, false);
  };
  prepare (input_split, input);
  for (auto &L : layers)
    prepare (L.conv_split, L.reduced);
  hole_row = i;
  hole_a = a;
  hole_b = b;
}

void
IncrementalEngine::Impl::rectify (float *p, int rows, int ld, int o0, int o1) const
{
  for (int r = 0; r < rows; ++r)
    for (float *x = p + (size_t) r * ld + o0, *end = p + (size_t) r * ld + o1; x < end; ++x)
      *x = std::max (*x, 0.f);
}

void
IncrementalEngine::Impl::run_range (const DenseStep &s, const FeatureMap &m, int i, int a, int b,
    bool relu, float *out, int ld, bool accumulate)
{
  macs += apply_at (s, m, i, a, b, relu, 0, C, out, ld, accumulate);
}

void
IncrementalEngine::Impl::step (const Positions &at, int g0, int g1, bool want_logits)
{
  // A wave holds hole positions only, which every layer needs: the first speaks for all.
  const int i = at.i, j = at.j, rows = at.n * B;
  if (!needed (first_at, i, j))
    return;
  widest_wave = std::max (widest_wave, at.n);
  run_split (input_split, input, at, g0, g1, first.at (i, j), first.at (i, j),
      map_ld (at, first));
  const FeatureMap *y = &first;
  for (size_t l = 0; l < layers.size (); ++l) {
    auto &L = layers[l];
    const int F = L.out.features, o0 = F * g0 / C, o1 = F * g1 / C, ld = map_ld (at, L.out);
    const bool out_needed = L.stepper->output_needed (*this, l, i, j);
    if (out_needed) {                             // the residual connection
      const float *in = y->at (i, j);
      float *out = L.out.at (i, j);
      for (int r = 0; r < rows; ++r)
        std::copy (in + (size_t) r * ld + o0, in + (size_t) r * ld + o1, out + (size_t) r * ld + o0);
    }
    L.stepper->step (*this, L, l, *y, at, g0, g1, out_needed);
    y = &L.out;
  }
  if (!want_logits)
    return;
  run (head_hidden, *y, at, true, g0, g1, head.data (), head_hidden.out, false);
  // Only head_out reads `head`, through a ReLU; earlier groups' columns were rectified at
  // their own steps.
  rectify (head.data (), rows, head_hidden.out, head_hidden.first (g0), head_hidden.first (g1));
  macs += apply_step (head_out, head.data (), rows, g0, g1, logits.data (), head_out.out, false);
  if (output != Output::Mixture)
    return;
  // The mixture's G and B means read this pixel's earlier channels, already in `input`.
  const int P = head_out.out / C;
  for (int r = 0; r < rows; ++r)
    for (int c = g0; c < g1; ++c) {
      const int k = r / B, b = r % B;
      const float *params = logits.data () + (size_t) r * head_out.out + c * P;
      const float *known = input.at (at.row (k), at.column (k)) + (size_t) b * C;
      float *out = dist.data () + ((size_t) r * C + c) * 256;
      if (mixture_probabilities)
        dist_total[(size_t) r * C + c] = mixture_probs_at (params, c, known, mixtures, out);
      else
        mixture_log_probs_at (params, c, known, mixtures, out);
    }
}

void
IncrementalEngine::Impl::step_run (int i, int j0, int j1)
{
  if (j1 - j0 == 1) {
    step (Positions::run (i, j0, j1), 0, C, false);
    return;
  }
  needed_runs (first_at, i, j0, j1, in_runs);
  for (auto [a, b] : in_runs)
    run_range (input_conv, input, i, a, b, false, first.at (i, a), first.features, false);
  const FeatureMap *y = &first;
  for (size_t l = 0; l < layers.size (); ++l) {
    layers[l].stepper->step_run (*this, layers[l], l, *y, i, j0, j1);
    y = &layers[l].out;
  }
}

void
IncrementalEngine::Impl::backward_row (int i)
{
  const FeatureMap *y = &first;
  for (auto &L : layers) {
    L.stepper->row_done (*this, L, *y, i);
    y = &L.out;
  }
}

void
IncrementalEngine::Impl::lstm_pointwise (const float *g, const float *prev_cell, float *cell,
    float *state, int g0, int g1) const
{
  const int hg = hidden / C;
  for (int grp = g0; grp < g1; ++grp)
    lstm_cells (g + grp * 4 * hg, hg, prev_cell ? prev_cell + grp * hg : nullptr,
        cell + grp * hg, state + grp * hg);
}

}  // namespace pixelrnn
