// The incremental engine's inside, shared by its rooms: incremental_engine.cpp (set-up and
// the public calls), engine_planning.cpp (which positions a fill computes, in what order),
// engine_steps.cpp (a position, a wave or a run of positions through the layers and the
// head), and one room per architecture behind the LayerStepper interface below:
// engine_pixelcnn.cpp (residual, gated and two-stream blocks), engine_row_lstm.cpp and
// engine_diagonal.cpp. Private to generation/.
#pragma once

#include "generation/incremental_engine.h"
#include "generation/pointwise_kernels.h"
#include "generation/dense_step.h"
#include "network/diagonal_bilstm.h"
#include "network/logistic_mixture.h"
#include "network/pixelcnn_block.h"
#include "network/row_lstm.h"
#include "network/two_stream_block.h"

#include <functional>
#include <utility>
#include <vector>

namespace pixelrnn {

namespace engine {

// A PixelCNN convolution's taps by where they read (select_taps): the rows above (bias
// included), the own row's left part (one product for every output), the own position (per
// colour group). `above` holds the Above products of the hole run being filled, a row per
// position (prepare_hole_run).
struct SplitConv {
  DenseStep above, left, own;
  std::vector<float> prepared;
};


// One LSTM scan of a recurrent layer: its two convolutions and its state maps.
struct Scan {
  DenseStep input_to_state, state_to_state;
  FeatureMap state, cell;
  // Diagonal scans only: the state and cell one step outside the window on each row. The
  // parallel model runs its scan over the skewed map's zero padding too, which gives
  // non-zero (but data-independent) states there; these tables reproduce them. [H * h]
  std::vector<float> edge_state, edge_cell;
  int edge_height = -1;
  int edge_dx = 0;  // -1: the scan comes from the left (left-to-right); +1: from the right
};

class LayerStepper;

struct Layer {
  const LayerStepper *stepper = nullptr;   // its architecture's steps
  DenseStep reduce, conv, expand;  // PixelCNN block
  SplitConv conv_split;            // conv for single positions (run_split)
  bool gated = false;              // conv makes (a, b) pairs; convolved holds a * sigmoid(b)
  FeatureMap reduced, convolved;
  std::vector<float> early_pairs;  // gated: a position's pairs from its context taps
  // Two-stream block: `link` adds the vertical stream to the pairs; the vertical stream's
  // own steps and maps (computed a whole row at a time: vertical_row).
  bool two_stream = false;
  DenseStep link, v_reduce, v_conv, v_expand;
  FeatureMap v_reduced, v_gated, v_out;
  Scan forward, backward;          // Row LSTM uses `forward` only
  DenseStep output;
  FeatureMap out;                  // the layer's output, 2h features
};

}  // namespace engine

struct IncrementalEngine::Impl {
  using SplitConv = engine::SplitConv;
  using Scan = engine::Scan;
  using Layer = engine::Layer;

  int C, hidden;
  Architecture kind;
  Output output;
  int mixtures;
  DenseStep input_conv, head_hidden, head_out;
  SplitConv input_split;                // input_conv for single positions (run_split)
  // The hole run whose Above products are prepared: row, columns [a, b); row -1: none.
  int hole_row = -1, hole_a = 0, hole_b = 0;
  std::vector<Layer> layers;
  FeatureMap input, first;
  // Two-stream PixelCNN: the vertical stream's input conv and first map; rows of it a fill
  // needs (empty = all).
  bool two_stream = false;
  DenseStep vertical_input;
  FeatureMap v_first;
  std::vector<uint8_t> v_rows;
  std::vector<float> gates, head, logits, pairs;
  // step_run's gates, pairs and Diagonal sums, a row per position
  std::vector<float> run_gates, run_pairs, run_sum;
  // log_likelihoods' head and logits, a row per position and batch row
  std::vector<float> run_head, run_logits;
  std::vector<float> dist;  // mixture output: 256 log-probs per sub-pixel, [B, C, 256]
  // Where the fill's choice needs no logs (chooses_from_probabilities): `dist` holds the
  // mixture's probabilities instead, and dist_total their sums [B, C].
  bool mixture_probabilities = false;
  std::vector<float> dist_total;
  int B = 0, H = 0, W = 0;
  double macs = 0;
  // PixelCNN fills compute each layer only where some hole position depends on it: its
  // receptive field is finite, so context beyond it costs nothing. Empty = everywhere.
  std::vector<std::vector<uint8_t>> reduce_at, out_at;
  std::vector<uint8_t> first_at;

  explicit Impl (PixelModel &model);
  void reset (int batch, int height, int width);
  // `image` ([B, C, H, W] uint8, checked: `what` names the caller in the error) as the
  // engine's input, the maps sized for it (reset); returns it contiguous.
  torch::Tensor load (const torch::Tensor &image, const char *what);
  void run (const DenseStep &s, const FeatureMap &m, const Positions &at, bool relu, int g0,
      int g1, float *out, int ld, bool accumulate);
  // A convolution at (i, j) for groups g0..g1-1 by its taps' rows (SplitConv): at the
  // position's first group, the taps that read earlier positions for every output at once
  // into `early` (Above from the prepared hole run when it covers (i, j)); then each
  // group's outputs copied to `out` (when elsewhere) and the own-position tap added.
  void run_split (const SplitConv &conv, const FeatureMap &m, const Positions &at, int g0,
      int g1, float *early, float *out, int ld);
  // Before the hole pixels a..b-1 of row i are drawn: every PixelCNN convolution's taps in
  // the rows above, for all of them at once (those rows are final), one product per layer
  // with a row per pixel instead of one per pixel.
  void prepare_hole_run (int i, int a, int b);
  // LSTM cells from their gates `g`, groups g0..g1-1 (Row LSTM and Diagonal BiLSTM).
  void lstm_pointwise (const float *g, const float *prev_cell, float *cell, float *state, int g0,
      int g1) const;
  void plan (const std::vector<uint8_t> &holes);
  bool needed (const std::vector<uint8_t> &at, int i, int j) const
  { return at.empty () || at[(size_t) i * W + j]; }
  // Groups g0..g1-1 at the positions `at`: one, or a wave of hole positions (one batch row),
  // each product then one row per position.
  void step (const Positions &at, int g0, int g1, bool want_logits);
  // Positions j0..j1-1 of row i, whose pixels are all known, computed layer by layer: each
  // product then has a row per position (and candidate) instead of one. Same values as
  // step() at each position (Diagonal BiLSTM scans run position by position).
  void step_run (int i, int j0, int j1);
  // Maximal runs of positions in [j0, j1) of row i that `at` marks needed.
  // Into `runs` (cleared first; step_run's two lists are kept between calls).
  void needed_runs (const std::vector<uint8_t> &at, int i, int j0, int j1,
      std::vector<std::pair<int, int>> &runs) const;
  std::vector<std::pair<int, int>> in_runs, out_runs;
  // `s` at positions a..b-1 of row i into out (rows of `ld` floats, position-major then batch).
  void run_range (const DenseStep &s, const FeatureMap &m, int i, int a, int b, bool relu,
      float *out, int ld, bool accumulate);
  // Gated blocks: groups g0..g1 of `pairs` (per row: a's then b's per group, `groups`
  // groups in all) -> a * sigmoid(b).
  void gate (const float *pairs, int rows, int groups, int g0, int g1, float *out,
      int ld) const;
  // max(0, x) in place for columns o0..o1-1 of `rows` rows `ld` apart. The maps only ever
  // read through a ReLU (reduced; convolved in ungated blocks) are stored rectified, so
  // that their readers' products need none: with a ReLU inside, a kernel's one-row loop
  // spends twice the instructions per input.
  void rectify (float *p, int rows, int ld, int o0, int o1) const;
  // Two-stream blocks: every layer's vertical stream along row i, whose values depend only
  // on rows above it; called once rows 0..i-1 hold their final values.
  void vertical_row (int i);
  // The 256 logits sub-pixel (r, c) is drawn from, after a step that wanted them (or its
  // probabilities, where mixture_probabilities); r = position in the step * B + batch row.
  const float *distribution (int r, int c) const
  {
    return output == Output::Softmax ? logits.data () + (size_t) r * head_out.out + c * 256
                                     : dist.data () + ((size_t) r * C + c) * 256;
  }
  // Floats between position k's and k+1's features in map m, at the positions of a step
  // (between batch rows where one position).
  static int map_ld (const Positions &at, const FeatureMap &m)
  { return at.n > 1 ? (int) (at.apart (m) / m.batch) : m.features; }
  // Whether fills go by waves (fill_waves): PixelCNNs of one stream, one batch row. The
  // two-stream vertical stream is computed a whole row at a time, and with several batch
  // rows each position's products already have that many rows.
  bool fills_by_waves () const { return kind == Architecture::PixelCNN && !two_stream && B == 1; }
  // Hole positions a wave may hold: the rows above must be complete up to skew - 1 columns
  // right of a position (its convolutions' widest reach there), so each member sits `skew`
  // columns left of the one above.
  int wave_skew = 1;
  int widest_wave = 1;
  // Row i is complete: each layer's LayerStepper::row_done (Diagonal BiLSTM's right-to-left
  // scans, for row i + 1 to read).
  void backward_row (int i);
  // A fill's order of positions through rows 0..last_i (the last up to last_j): known pixels
  // go by runs (step_run), and each hole position (or wave of them) is handed to fill_at,
  // which computes and draws it. In raster order: row by row, the hole runs' Above taps
  // prepared first.
  void fill_raster (const std::vector<uint8_t> &holes, int last_i, int last_j,
      const std::function<void (const Positions &)> &fill_at);
  // By waves (fills_by_waves): a position waits only for the pixel on its left and for the
  // row above up to wave_skew - 1 columns right of it, so hole pixels of several rows are
  // ready at once, wave_skew columns apart, and go together: each product then has a row per
  // hole row instead of one. Values are those of the raster order (each drawn value's
  // random bits are taken in raster order whatever order the fill computes them in).
  void fill_waves (const std::vector<uint8_t> &holes, int last_i, int last_j,
      const std::function<void (const Positions &)> &fill_at);
};

namespace engine {

// What one layer of an architecture computes in the engine. The engine takes the layers in
// order; the first's input is the input convolution's output, each next one's the previous
// layer's `out`. For a step, the engine copies the residual connection (the layer's input)
// into `out` where output_needed; for a run, step_run does.
class LayerStepper {
 public:
  virtual ~LayerStepper () = default;
  // The layer's maps and buffers sized for the engine's B x H x W; a step has `step_rows`
  // rows (its batch rows, or a wave's positions).
  virtual void resize (IncrementalEngine::Impl &e, Layer &L, size_t step_rows) const = 0;
  // Whether the layer's output is computed at (i, j): a fill's plan may leave out positions
  // no hole value depends on.
  virtual bool output_needed (const IncrementalEngine::Impl &, size_t, int, int) const { return true; }
  // Groups g0..g1-1 at `at` (one position, or a wave of hole positions): the layer's output
  // added to L.out there (when out_needed).
  virtual void step (IncrementalEngine::Impl &e, Layer &L, size_t l, const FeatureMap &y,
      const Positions &at, int g0, int g1, bool out_needed) const = 0;
  // Known positions j0..j1-1 of row i, every group: L.out there (the residual included), each
  // product with a row per position; the same values as step() at each position.
  virtual void step_run (IncrementalEngine::Impl &e, Layer &L, size_t l, const FeatureMap &y,
      int i, int j0, int j1) const = 0;
  // Row i holds its final values (through every layer).
  virtual void row_done (IncrementalEngine::Impl &, Layer &, const FeatureMap &, int) const {}
};

const LayerStepper &pixelcnn_layers ();        // engine_pixelcnn.cpp
const LayerStepper &row_lstm_layers ();        // engine_row_lstm.cpp
const LayerStepper &diagonal_bilstm_layers (); // engine_diagonal.cpp

}  // namespace engine
}  // namespace pixelrnn
