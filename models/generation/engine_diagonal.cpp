// The incremental engine's Diagonal BiLSTM layers: the left-to-right scan one position at a
// time (its state-to-state reads the state above and the previous one along the scan); the
// right-to-left scan of a row once the row is complete, for the row below to read (the
// parallel model's one-row shift); and the states the parallel model's scan has outside the
// window, as tables.
#include "generation/incremental_engine_impl.h"

#include <algorithm>

namespace pixelrnn {

using Impl = IncrementalEngine::Impl;

namespace engine {
namespace {

// The cells at (i, j), groups g0..g1-1: adds the product with the previous state along the
// scan (past the window's edge, the edge table) to the gates `g` (B rows).
void
diagonal_cells (Impl &e, Scan &s, int i, int j, int g0, int g1, float *g)
{
  const int G = 4 * e.hidden, hidden = e.hidden, prev_j = j + s.edge_dx;
  const bool at_edge = prev_j < 0 || prev_j >= e.W;
  if (at_edge)
    e.macs += apply_tap_rows (s.state_to_state, 1, 1, s.edge_state.data () + (size_t) i * hidden,
        0, e.B, false, g0, g1, g, G);
  else
    e.macs += apply_taps (s.state_to_state, s.state, i, j, j + 1, false, g0, g1, g, G, 1, 2);
  for (int r = 0; r < e.B; ++r)
    e.lstm_pointwise (g + (size_t) r * G, at_edge ? s.edge_cell.data () + (size_t) i * hidden
        : s.cell.at (i, prev_j) + (size_t) r * hidden, s.cell.at (i, j) + (size_t) r * hidden,
        s.state.at (i, j) + (size_t) r * hidden, g0, g1);
}

// The parallel model runs its scan over the skewed map's zero padding too, which gives
// non-zero (but data-independent) states there: the table of them for rows 0..H-1.
void
compute_edges (Impl &e, Scan &s)
{
  if (s.edge_height >= e.H)
    return;                                      // a taller table already covers this window
  // State at (row i, k columns outside the edge), k = 1..i: fed by (i-1, k) above and
  // (i, k+1) before it along the scan; the zero-padded skewed input gives zero input gates.
  const int h = e.hidden, G = 4 * h, H = e.H;
  std::vector<float> prev_h, prev_c, cur_h, cur_c, p (2 * h), g (G);
  s.edge_state.assign ((size_t) H * h, 0.f);
  s.edge_cell.assign ((size_t) H * h, 0.f);
  for (int i = 0; i < H; ++i) {
    cur_h.assign ((size_t) (i + 2) * h, 0.f);
    cur_c.assign ((size_t) (i + 2) * h, 0.f);
    for (int k = i; k >= 1; --k) {
      if (k <= i - 1)
        std::copy_n (prev_h.data () + (size_t) k * h, h, p.data ());
      else
        std::fill_n (p.data (), h, 0.f);
      std::copy_n (cur_h.data () + (size_t) (k + 1) * h, h, p.data () + h);
      apply_step (s.state_to_state, p.data (), 1, 0, e.C, g.data (), G, false);
      e.lstm_pointwise (g.data (), cur_c.data () + (size_t) (k + 1) * h, cur_c.data () + (size_t) k * h,
          cur_h.data () + (size_t) k * h, 0, e.C);
    }
    if (i >= 1) {
      std::copy_n (cur_h.data () + h, h, s.edge_state.data () + (size_t) i * h);
      std::copy_n (cur_c.data () + h, h, s.edge_cell.data () + (size_t) i * h);
    }
    prev_h.swap (cur_h);
    prev_c.swap (cur_c);
  }
  s.edge_height = H;
}

// The scan `s` over known positions a..b-1 of row i, in its direction. The products that
// read the input and the row above are one per run; only the one that reads the previous
// state along the scan goes position by position.
void
scan_range (Impl &e, Scan &s, const FeatureMap &y, int i, int a, int b)
{
  const int G = 4 * e.hidden;
  e.run_gates.resize ((size_t) (b - a) * e.B * G);
  float *gates_at = e.run_gates.data ();
  e.macs += apply_at (s.input_to_state, y, i, a, b, false, 0, e.C, gates_at, G, false);
  // Tap 0: the state above; tap 1: the previous state along the scan.
  e.macs += apply_at (s.state_to_state, s.state, i, a, b, false, 0, e.C, gates_at, G, true, 0, 1);
  for (int n = 0; n < b - a; ++n) {
    const int j = s.edge_dx < 0 ? a + n : b - 1 - n;
    diagonal_cells (e, s, i, j, 0, e.C, gates_at + (size_t) (j - a) * e.B * G);
  }
}

// The layer's output over positions a..b-1 of row i (forward states there plus the backward
// states of the row above), added to `out`.
void
diagonal_output (Impl &e, Layer &L, int i, int a, int b, int g0, int g1, float *out)
{
  const int rows = (b - a) * e.B;
  e.run_sum.resize ((size_t) rows * e.hidden);
  const float *f = L.forward.state.at (i, a);
  const float *r = i > 0 ? L.backward.state.at (i - 1, a) : nullptr;
  for (size_t t = 0; t < (size_t) rows * e.hidden; ++t)
    e.run_sum[t] = f[t] + (r ? r[t] : 0.f);
  e.macs += apply_step (L.output, e.run_sum.data (), rows, g0, g1, out, L.out.features, true);
}

class DiagonalLayers final : public LayerStepper {
 public:
  void resize (Impl &e, Layer &L, size_t) const override
  {
    for (Scan *s : {&L.forward, &L.backward}) {
      s->state.resize (e.H, e.W, e.B, e.hidden);
      s->cell.resize (e.H, e.W, e.B, e.hidden);
      compute_edges (e, *s);
    }
  }

  void step (Impl &e, Layer &L, size_t, const FeatureMap &y, const Positions &at, int g0,
      int g1, bool) const override
  {
    const int i = at.i, j = at.j, G = 4 * e.hidden;
    Scan &s = L.forward;
    e.run (s.input_to_state, y, Positions::run (i, j, j + 1), false, g0, g1, e.gates.data (), G, false);
    // Tap 0 reads the state above, tap 1 the previous one along the scan (diagonal_cells).
    e.macs += apply_at (s.state_to_state, s.state, i, j, j + 1, false, g0, g1, e.gates.data (), G,
        true, 0, 1);
    diagonal_cells (e, s, i, j, g0, g1, e.gates.data ());
    diagonal_output (e, L, i, j, j + 1, g0, g1, L.out.at (i, j));
  }

  void step_run (Impl &e, Layer &L, size_t, const FeatureMap &y, int i, int a, int b) const override
  {
    std::copy_n (y.at (i, a), (size_t) (b - a) * e.B * L.out.features, L.out.at (i, a));   // the residual
    scan_range (e, L.forward, y, i, a, b);
    diagonal_output (e, L, i, a, b, 0, e.C, L.out.at (i, a));
  }

  void row_done (Impl &e, Layer &L, const FeatureMap &y, int i) const override
  {
    scan_range (e, L.backward, y, i, 0, e.W);
  }
};

}  // namespace

const LayerStepper &
diagonal_bilstm_layers ()
{
  static const DiagonalLayers stepper;
  return stepper;
}

}  // namespace engine
}  // namespace pixelrnn
