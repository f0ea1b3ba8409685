// The incremental engine, Row LSTM and Diagonal BiLSTM: LSTM cells, scans and their edges.
#include "generation/incremental_engine_impl.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

void
IncrementalEngine::Impl::lstm_pointwise (const float *g, const float *prev_cell, float *cell,
    float *state, int g0, int g1) const
{
  const int hg = hidden / C;
  for (int grp = g0; grp < g1; ++grp)
    lstm_cells (g + grp * 4 * hg, hg, prev_cell ? prev_cell + grp * hg : nullptr,
        cell + grp * hg, state + grp * hg);
}

void
IncrementalEngine::Impl::lstm_step (Scan &s, const FeatureMap &y, int i, int j, int g0, int g1)
{
  const int G = 4 * hidden;
  const auto at = Positions::run (i, j, j + 1);
  run (s.input_to_state, y, at, false, g0, g1, gates.data (), G, false);
  if (s.edge_dx != 0) {
    // Diagonal: tap 0 reads the state above, tap 1 the previous one along the scan.
    macs += apply_at (s.state_to_state, s.state, i, j, j + 1, false, g0, g1, gates.data (), G,
        true, 0, 1);
    diagonal_cells (s, i, j, g0, g1, gates.data ());
    return;
  }
  run (s.state_to_state, s.state, at, false, g0, g1, gates.data (), G, true);
  for (int b = 0; b < B; ++b)
    lstm_pointwise (gates.data () + (size_t) b * G,
        i > 0 ? s.cell.at (i - 1, j) + (size_t) b * hidden : nullptr,
        s.cell.at (i, j) + (size_t) b * hidden, s.state.at (i, j) + (size_t) b * hidden, g0, g1);
}

void
IncrementalEngine::Impl::diagonal_cells (Scan &s, int i, int j, int g0, int g1, float *g)
{
  const int G = 4 * hidden, prev_j = j + s.edge_dx;
  const bool at_edge = prev_j < 0 || prev_j >= W;
  if (at_edge)
    macs += apply_tap_rows (s.state_to_state, 1, 1, s.edge_state.data () + (size_t) i * hidden,
        0, B, false, g0, g1, g, G);
  else
    macs += apply_taps (s.state_to_state, s.state, i, j, j + 1, false, g0, g1, g, G, 1, 2);
  for (int r = 0; r < B; ++r)
    lstm_pointwise (g + (size_t) r * G, at_edge ? s.edge_cell.data () + (size_t) i * hidden
        : s.cell.at (i, prev_j) + (size_t) r * hidden, s.cell.at (i, j) + (size_t) r * hidden,
        s.state.at (i, j) + (size_t) r * hidden, g0, g1);
}

void
IncrementalEngine::Impl::compute_edges (Scan &s)
{
  if (s.edge_height >= H)
    return;                                      // a taller table already covers this window
  // State at (row i, k columns outside the edge), k = 1..i: fed by (i-1, k) above and
  // (i, k+1) before it along the scan; the zero-padded skewed input gives zero input gates.
  const int h = hidden, G = 4 * h;
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
      apply_step (s.state_to_state, p.data (), 1, 0, C, g.data (), G, false);
      lstm_pointwise (g.data (), cur_c.data () + (size_t) (k + 1) * h, cur_c.data () + (size_t) k * h,
          cur_h.data () + (size_t) k * h, 0, C);
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

void
IncrementalEngine::Impl::lstm_range (Scan &s, const FeatureMap &y, int i, int a, int b)
{
  // Row LSTM: every position of the row reads the row above only, so the whole run's gates
  // are two products.
  const int G = 4 * hidden, rows = (b - a) * B;
  run_gates.resize ((size_t) rows * G);
  run_range (s.input_to_state, y, i, a, b, false, run_gates.data (), G, false);
  run_range (s.state_to_state, s.state, i, a, b, false, run_gates.data (), G, true);
  for (int j = a; j < b; ++j)
    for (int b2 = 0; b2 < B; ++b2)
      lstm_pointwise (run_gates.data () + ((size_t) (j - a) * B + b2) * G,
          i > 0 ? s.cell.at (i - 1, j) + (size_t) b2 * hidden : nullptr,
          s.cell.at (i, j) + (size_t) b2 * hidden, s.state.at (i, j) + (size_t) b2 * hidden, 0, C);
}

void
IncrementalEngine::Impl::scan_range (Scan &s, const FeatureMap &y, int i, int a, int b)
{
  const int G = 4 * hidden;
  run_gates.resize ((size_t) (b - a) * B * G);
  float *gates_at = run_gates.data ();
  macs += apply_at (s.input_to_state, y, i, a, b, false, 0, C, gates_at, G, false);
  // Tap 0: the state above; tap 1: the previous state along the scan.
  macs += apply_at (s.state_to_state, s.state, i, a, b, false, 0, C, gates_at, G, true, 0, 1);
  for (int n = 0; n < b - a; ++n) {
    const int j = s.edge_dx < 0 ? a + n : b - 1 - n;
    diagonal_cells (s, i, j, 0, C, gates_at + (size_t) (j - a) * B * G);
  }
}

void
IncrementalEngine::Impl::diagonal_output (Layer &L, int i, int a, int b, int g0, int g1,
    float *out)
{
  const int rows = (b - a) * B;
  run_sum.resize ((size_t) rows * hidden);
  const float *f = L.forward.state.at (i, a);
  const float *r = i > 0 ? L.backward.state.at (i - 1, a) : nullptr;
  for (size_t t = 0; t < (size_t) rows * hidden; ++t)
    run_sum[t] = f[t] + (r ? r[t] : 0.f);
  macs += apply_step (L.output, run_sum.data (), rows, g0, g1, out, L.out.features, true);
}

void
IncrementalEngine::Impl::backward_row (int i)
{
  if (kind != Architecture::DiagonalBiLSTM)
    return;
  // Row i is complete: run each layer's right-to-left scan over it, for row i + 1 to read.
  const FeatureMap *y = &first;
  for (auto &L : layers) {
    scan_range (L.backward, *y, i, 0, W);
    y = &L.out;
  }
}

}  // namespace pixelrnn
