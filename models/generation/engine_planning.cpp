// The incremental engine's plans: the positions a fill needs, and their order (raster, or
// waves of hole positions that may go together).
#include "generation/incremental_engine_impl.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

void
IncrementalEngine::Impl::plan (const std::vector<uint8_t> &holes)
{
  reduce_at.clear ();
  out_at.clear ();
  first_at.clear ();
  v_rows.clear ();
  if (kind != Architecture::PixelCNN || holes.empty ())
    return;                     // recurrent states reach back to the window's first pixel
  // Walk back from the head: a layer's output is needed at S; its 3x3 conv then needs the
  // reduced features (and so the layer's input) at S shifted by each visible tap.
  std::vector<uint8_t> S (holes);
  reduce_at.resize (layers.size ());
  out_at.resize (layers.size ());
  for (size_t l = layers.size (); l-- > 0;) {
    std::vector<uint8_t> D (S.size (), 0);
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < W; ++j)
        if (S[(size_t) i * W + j])
          for (const auto &t : layers[l].conv.taps) {
            const int y = i + t.first, x = j + t.second;
            if (y >= 0 && x >= 0 && y < H && x < W)
              D[(size_t) y * W + x] = 1;
          }
    out_at[l] = std::move (S);
    reduce_at[l] = D;
    S = std::move (D);
  }
  first_at = std::move (S);
  if (!two_stream)
    return;
  // Horizontal layer l reads vertical layer l at its own position; vertical row i reads the
  // row above, down to the vertical input L rows up: those rows are computed whole.
  const int reach = (int) layers.size ();
  v_rows.assign (H, 0);
  for (int i = 0; i < H; ++i) {
    bool used = false;
    for (const auto &at : out_at)
      used = used || std::any_of (at.begin () + (size_t) i * W, at.begin () + (size_t) (i + 1) * W,
          [] (uint8_t u) { return u != 0; });
    if (used)
      std::fill (v_rows.begin () + std::max (0, i - reach), v_rows.begin () + i + 1, 1);
  }
}

void
IncrementalEngine::Impl::needed_runs (const std::vector<uint8_t> &at, int i, int j0, int j1,
    std::vector<std::pair<int, int>> &runs) const
{
  runs.clear ();
  for (int j = j0; j < j1;) {
    if (!needed (at, i, j)) {
      ++j;
      continue;
    }
    int e = j + 1;
    while (e < j1 && needed (at, i, e))
      ++e;
    runs.emplace_back (j, e);
    j = e;
  }
}

void
IncrementalEngine::Impl::fill_raster (const std::vector<uint8_t> &holes, int last_i, int last_j,
    const std::function<void (const Positions &)> &fill_at)
{
  for (int i = 0; i <= last_i; ++i) {
    vertical_row (i);
    const int row_end = i == last_i ? last_j + 1 : W;
    const uint8_t *hole = holes.data () + (size_t) i * W;
    // The end of the run of pixels from j on that are all holes, or all known, like j.
    const auto run_end = [&] (int j) {
      int end = j + 1;
      while (end < row_end && hole[end] == hole[j])
        ++end;
      return end;
    };
    for (int j = 0; j < row_end; ++j) {
      if (!hole[j]) {
        const int end = run_end (j);
        step_run (i, j, end);
        j = end - 1;
        continue;
      }
      if (j == 0 || !hole[j - 1])
        prepare_hole_run (i, j, run_end (j));
      fill_at (Positions::run (i, j, j + 1));
    }
    if (i < last_i)
      backward_row (i);
  }
}

void
IncrementalEngine::Impl::fill_waves (const std::vector<uint8_t> &holes, int last_i, int last_j,
    const std::function<void (const Positions &)> &fill_at)
{
  const int skew = wave_skew;
  const auto hole = [&] (int i, int j) { return holes[(size_t) i * W + j] != 0; };
  // Per row: the next position to compute, and where the row ends.
  std::vector<int> next (last_i + 1, 0), end (last_i + 1, W);
  end[last_i] = last_j + 1;
  // Row i may compute positions before this column: the row above is complete up to
  // skew - 1 columns right of each.
  const auto limit = [&] (int i) {
    return i == 0 || next[i - 1] >= end[i - 1] ? end[i]
                                               : std::min (end[i], next[i - 1] - skew + 1);
  };
  std::vector<int> ready;
  for (int top = 0; top <= last_i;) {
    ready.clear ();
    for (int i = top; i <= last_i; ++i) {
      const int stop = limit (i);
      while (next[i] < stop && !hole (i, next[i])) {      // known pixels, as far as allowed
        int e = next[i] + 1;
        while (e < stop && !hole (i, e))
          ++e;
        step_run (i, next[i], e);
        next[i] = e;
      }
      if (next[i] < stop)
        ready.push_back (i);                 // a hole pixel whose context is complete
      if (next[i] < end[i] && next[i] < skew)
        break;                               // the rows below cannot start yet
    }
    // Each ready row offers one position; rows one below the other whose positions are skew
    // columns apart are one wave (evenly spaced in every map: one product).
    for (size_t a = 0; a < ready.size ();) {
      size_t b = a + 1;
      while (b < ready.size () && ready[b] == ready[b - 1] + 1 &&
          next[ready[b]] == next[ready[b - 1]] - skew)
        ++b;
      fill_at (Positions::wave (ready[a], next[ready[a]], (int) (b - a), skew));
      a = b;
    }
    for (int i : ready)
      ++next[i];
    while (top <= last_i && next[top] >= end[top])
      ++top;
  }
}

}  // namespace pixelrnn
