// The incremental engine's Row LSTM layers: each position's gates read the layer's input
// there and the state of the row above (a 1x3 state-to-state), so a run of known positions
// is two products and the cells.
#include "generation/incremental_engine_impl.h"

#include <algorithm>

namespace pixelrnn {

using Impl = IncrementalEngine::Impl;

namespace engine {
namespace {

class RowLSTMLayers final : public LayerStepper {
 public:
  void resize (Impl &e, Layer &L, size_t) const override
  {
    L.forward.state.resize (e.H, e.W, e.B, e.hidden);
    L.forward.cell.resize (e.H, e.W, e.B, e.hidden);
  }

  void step (Impl &e, Layer &L, size_t, const FeatureMap &y, const Positions &at, int g0,
      int g1, bool) const override
  {
    const int i = at.i, j = at.j, G = 4 * e.hidden, hidden = e.hidden;
    Scan &s = L.forward;
    const auto here = Positions::run (i, j, j + 1);
    e.run (s.input_to_state, y, here, false, g0, g1, e.gates.data (), G, false);
    e.run (s.state_to_state, s.state, here, false, g0, g1, e.gates.data (), G, true);
    for (int b = 0; b < e.B; ++b)
      e.lstm_pointwise (e.gates.data () + (size_t) b * G,
          i > 0 ? s.cell.at (i - 1, j) + (size_t) b * hidden : nullptr,
          s.cell.at (i, j) + (size_t) b * hidden, s.state.at (i, j) + (size_t) b * hidden, g0, g1);
    e.run (L.output, s.state, at, false, g0, g1, L.out.at (i, j), L.out.features, true);
  }

  void step_run (Impl &e, Layer &L, size_t, const FeatureMap &y, int i, int a, int b) const override
  {
    const int F = L.out.features, G = 4 * e.hidden, hidden = e.hidden, rows = (b - a) * e.B;
    std::copy_n (y.at (i, a), (size_t) rows * F, L.out.at (i, a));   // the residual connection
    // Every position of the row reads the row above only: the whole run's gates are two
    // products.
    Scan &s = L.forward;
    e.run_gates.resize ((size_t) rows * G);
    e.run_range (s.input_to_state, y, i, a, b, false, e.run_gates.data (), G, false);
    e.run_range (s.state_to_state, s.state, i, a, b, false, e.run_gates.data (), G, true);
    for (int j = a; j < b; ++j)
      for (int r = 0; r < e.B; ++r)
        e.lstm_pointwise (e.run_gates.data () + ((size_t) (j - a) * e.B + r) * G,
            i > 0 ? s.cell.at (i - 1, j) + (size_t) r * hidden : nullptr,
            s.cell.at (i, j) + (size_t) r * hidden, s.state.at (i, j) + (size_t) r * hidden, 0, e.C);
    e.run_range (L.output, s.state, i, a, b, false, L.out.at (i, a), F, true);
  }
};

}  // namespace

const LayerStepper &
row_lstm_layers ()
{
  static const RowLSTMLayers stepper;
  return stepper;
}

}  // namespace engine
}  // namespace pixelrnn
