// The incremental engine's PixelCNN layers (residual, gated and two-stream blocks): a
// position's (or a wave's) step, a run of known positions, their maps, and the two-stream
// vertical stream a row at a time. A fill's plan may leave a layer's maps uncomputed where no
// hole value depends on them (reduce_at, out_at).
#include "generation/incremental_engine_impl.h"

#include <algorithm>

namespace pixelrnn {

using Impl = IncrementalEngine::Impl;

namespace engine {
namespace {

const std::vector<uint8_t> kEverywhere;

class PixelCNNLayers final : public LayerStepper {
 public:
  void resize (Impl &e, Layer &L, size_t step_rows) const override
  {
    L.reduced.resize (e.H, e.W, e.B, e.hidden);
    L.convolved.resize (e.H, e.W, e.B, e.hidden);
    if (L.two_stream) {
      L.v_reduced.resize (e.H, e.W, e.B, e.hidden);
      L.v_gated.resize (e.H, e.W, e.B, e.hidden);
      L.v_out.resize (e.H, e.W, e.B, 2 * e.hidden);
    }
    L.early_pairs.assign (step_rows * 2 * e.hidden, 0.f);
  }

  bool output_needed (const Impl &e, size_t l, int i, int j) const override
  {
    return e.out_at.empty () || e.needed (e.out_at[l], i, j);
  }

  void step (Impl &e, Layer &L, size_t l, const FeatureMap &y, const Positions &at, int g0,
      int g1, bool out_needed) const override
  {
    const int i = at.i, j = at.j, rows = at.n * e.B;
    const int ld = Impl::map_ld (at, L.out), ld_h = Impl::map_ld (at, L.reduced);
    if (e.reduce_at.empty () || e.needed (e.reduce_at[l], i, j)) {
      e.run (L.reduce, y, at, true, g0, g1, L.reduced.at (i, j), ld_h, false);
      e.rectify (L.reduced.at (i, j), rows, ld_h, L.reduce.first (g0), L.reduce.first (g1));
    }
    if (!out_needed)
      return;
    if (L.gated) {
      e.run_split (L.conv_split, L.reduced, at, g0, g1, L.early_pairs.data (), e.pairs.data (),
          2 * e.hidden);
      if (L.two_stream)
        e.run (L.link, L.v_out, at, true, g0, g1, e.pairs.data (), 2 * e.hidden, true);
      e.gate (e.pairs.data (), rows, e.C, g0, g1, L.convolved.at (i, j), ld_h);
    } else {
      e.run_split (L.conv_split, L.reduced, at, g0, g1, L.convolved.at (i, j),
          L.convolved.at (i, j), ld_h);
      e.rectify (L.convolved.at (i, j), rows, ld_h, L.conv.first (g0), L.conv.first (g1));
    }
    e.run (L.expand, L.convolved, at, false, g0, g1, L.out.at (i, j), ld, true);
  }

  void step_run (Impl &e, Layer &L, size_t l, const FeatureMap &y, int i, int j0, int j1) const override
  {
    const int F = L.out.features, B = e.B, hidden = e.hidden;
    e.needed_runs (e.out_at.empty () ? kEverywhere : e.out_at[l], i, j0, j1, e.out_runs);
    for (auto [a, b] : e.out_runs)                  // the residual connection
      std::copy_n (y.at (i, a), (size_t) (b - a) * B * F, L.out.at (i, a));
    e.needed_runs (e.reduce_at.empty () ? kEverywhere : e.reduce_at[l], i, j0, j1, e.in_runs);
    for (auto [a, b] : e.in_runs) {
      e.run_range (L.reduce, y, i, a, b, true, L.reduced.at (i, a), hidden, false);
      e.rectify (L.reduced.at (i, a), (b - a) * B, hidden, 0, hidden);
    }
    for (auto [a, b] : e.out_runs) {
      if (L.gated) {
        e.run_pairs.resize ((size_t) (b - a) * B * 2 * hidden);
        e.run_range (L.conv, L.reduced, i, a, b, false, e.run_pairs.data (), 2 * hidden, false);
        if (L.two_stream)
          e.run_range (L.link, L.v_out, i, a, b, true, e.run_pairs.data (), 2 * hidden, true);
        e.gate (e.run_pairs.data (), (b - a) * B, e.C, 0, e.C, L.convolved.at (i, a), hidden);
      } else {
        e.run_range (L.conv, L.reduced, i, a, b, false, L.convolved.at (i, a), hidden, false);
        e.rectify (L.convolved.at (i, a), (b - a) * B, hidden, 0, hidden);
      }
      e.run_range (L.expand, L.convolved, i, a, b, false, L.out.at (i, a), F, true);
    }
  }
};

}  // namespace

const LayerStepper &
pixelcnn_layers ()
{
  static const PixelCNNLayers stepper;
  return stepper;
}

}  // namespace engine

void
Impl::gate (const float *pairs, int rows, int groups, int g0, int g1, float *out, int ld) const
{
  const int n = hidden / groups;
  for (int b = 0; b < rows; ++b)
    for (int g = g0; g < g1; ++g) {
      const float *a = pairs + (size_t) b * 2 * hidden + (size_t) g * 2 * n;
      gated_units (a, a + n, n, out + (size_t) b * ld + (size_t) g * n);
    }
}

void
Impl::vertical_row (int i)
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

}  // namespace pixelrnn
