// The incremental engine's steps: one position (or a wave) at a time, or a run of known
// positions at once; the PixelCNN convolutions split by the rows their taps read.
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
IncrementalEngine::Impl::gate (const float *pairs, int rows, int groups, int g0, int g1,
    float *out, int ld) const
{
  const int n = hidden / groups;
  for (int b = 0; b < rows; ++b)
    for (int g = g0; g < g1; ++g) {
      const float *a = pairs + (size_t) b * 2 * hidden + (size_t) g * 2 * n;
      gated_units (a, a + n, n, out + (size_t) b * ld + (size_t) g * n);
    }
}

void
IncrementalEngine::Impl::vertical_row (int i)
{
  if (!two_stream || (!v_rows.empty () && !v_rows[i]))
    return;
  // Whole rows, one product per step: the 2x3 conv reads the next column's reduced
  // features, so each step completes the row before the next reads it.
  const int F = 2 * hidden;
  run_range (vertical_input, input, i, 0, W, false, v_first.at (i, 0), F, false);
  const FeatureMap *v = &v_first;
  for (auto &L : layers) {
    std::copy_n (v->at (i, 0), (size_t) W * B * F, L.v_out.at (i, 0));   // the residual
    run_range (L.v_reduce, *v, i, 0, W, true, L.v_reduced.at (i, 0), hidden, false);
    rectify (L.v_reduced.at (i, 0), W * B, hidden, 0, hidden);
    run_pairs.resize ((size_t) W * B * F);
    run_range (L.v_conv, L.v_reduced, i, 0, W, false, run_pairs.data (), F, false);
    gate (run_pairs.data (), W * B, 1, 0, 1, L.v_gated.at (i, 0), hidden);
    run_range (L.v_expand, L.v_gated, i, 0, W, false, L.v_out.at (i, 0), F, true);
    v = &L.v_out;
  }
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
    const int F = L.out.features, o0 = F * g0 / C, o1 = F * g1 / C;
    const int ld = map_ld (at, L.out), ld_h = map_ld (at, L.reduced);
    float *out = L.out.at (i, j);
    const float *in = y->at (i, j);
    const bool out_needed = L.kind != Architecture::PixelCNN || out_at.empty () ||
        needed (out_at[l], i, j);
    if (out_needed)
      for (int r = 0; r < rows; ++r)              // the residual connection
        std::copy (in + (size_t) r * ld + o0, in + (size_t) r * ld + o1, out + (size_t) r * ld + o0);
    switch (L.kind) {
      case Architecture::PixelCNN:
        if (reduce_at.empty () || needed (reduce_at[l], i, j)) {
          run (L.reduce, *y, at, true, g0, g1, L.reduced.at (i, j), ld_h, false);
          rectify (L.reduced.at (i, j), rows, ld_h, L.reduce.first (g0), L.reduce.first (g1));
        }
        if (out_needed && L.gated) {
          run_split (L.conv_split, L.reduced, at, g0, g1, L.early_pairs.data (), pairs.data (),
              2 * hidden);
          if (L.two_stream)
            run (L.link, L.v_out, at, true, g0, g1, pairs.data (), 2 * hidden, true);
          gate (pairs.data (), rows, C, g0, g1, L.convolved.at (i, j), ld_h);
          run (L.expand, L.convolved, at, false, g0, g1, out, ld, true);
        } else if (out_needed) {
          run_split (L.conv_split, L.reduced, at, g0, g1, L.convolved.at (i, j),
              L.convolved.at (i, j), ld_h);
          rectify (L.convolved.at (i, j), rows, ld_h, L.conv.first (g0), L.conv.first (g1));
          run (L.expand, L.convolved, at, false, g0, g1, out, ld, true);
        }
        break;
      case Architecture::RowLSTM:
        lstm_step (L.forward, *y, i, j, g0, g1);
        run (L.output, L.forward.state, at, false, g0, g1, out, F, true);
        break;
      case Architecture::DiagonalBiLSTM: {
        lstm_step (L.forward, *y, i, j, g0, g1);
        diagonal_output (L, i, j, j + 1, g0, g1, out);
        break;
      }
    }
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
  const auto all = std::vector<uint8_t> ();
  needed_runs (first_at, i, j0, j1, in_runs);
  for (auto [a, b] : in_runs)
    run_range (input_conv, input, i, a, b, false, first.at (i, a), first.features, false);
  const FeatureMap *y = &first;
  for (size_t l = 0; l < layers.size (); ++l) {
    auto &L = layers[l];
    const int F = L.out.features;
    const bool pixelcnn = L.kind == Architecture::PixelCNN;
    const auto &out_needed = pixelcnn && !out_at.empty () ? out_at[l] : all;
    needed_runs (out_needed, i, j0, j1, out_runs);
    for (auto [a, b] : out_runs)                    // the residual connection
      std::copy_n (y->at (i, a), (size_t) (b - a) * B * F, L.out.at (i, a));
    if (pixelcnn) {
      needed_runs (reduce_at.empty () ? all : reduce_at[l], i, j0, j1, in_runs);
      for (auto [a, b] : in_runs) {
        run_range (L.reduce, *y, i, a, b, true, L.reduced.at (i, a), hidden, false);
        rectify (L.reduced.at (i, a), (b - a) * B, hidden, 0, hidden);
      }
      for (auto [a, b] : out_runs) {
        if (L.gated) {
          run_pairs.resize ((size_t) (b - a) * B * 2 * hidden);
          run_range (L.conv, L.reduced, i, a, b, false, run_pairs.data (), 2 * hidden, false);
          if (L.two_stream)
            run_range (L.link, L.v_out, i, a, b, true, run_pairs.data (), 2 * hidden, true);
          gate (run_pairs.data (), (b - a) * B, C, 0, C, L.convolved.at (i, a), hidden);
          run_range (L.expand, L.convolved, i, a, b, false, L.out.at (i, a), F, true);
        } else {
          run_range (L.conv, L.reduced, i, a, b, false, L.convolved.at (i, a), hidden, false);
          rectify (L.convolved.at (i, a), (b - a) * B, hidden, 0, hidden);
          run_range (L.expand, L.convolved, i, a, b, false, L.out.at (i, a), F, true);
        }
      }
    } else if (L.kind == Architecture::RowLSTM) {
      lstm_range (L.forward, *y, i, j0, j1);
      run_range (L.output, L.forward.state, i, j0, j1, false, L.out.at (i, j0), F, true);
    } else {
      scan_range (L.forward, *y, i, j0, j1);
      diagonal_output (L, i, j0, j1, 0, C, L.out.at (i, j0));
    }
    y = &L.out;
  }
}

}  // namespace pixelrnn
