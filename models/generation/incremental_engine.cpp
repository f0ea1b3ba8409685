#include "incremental_engine.h"

#include "generation/pointwise_kernels.h"
#include "generation/dense_step.h"
#include "network/diagonal_bilstm.h"
#include "network/logistic_mixture.h"
#include "network/pixelcnn_block.h"
#include "network/row_lstm.h"
#include "network/two_stream_block.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace pixelrnn {

namespace {

float
scaled (uint8_t v)
{
  // Exactly scale_input's arithmetic: float(x) * float(2/255) - 1.
  return static_cast<float> (v) * static_cast<float> (2.0 / 255.0) - 1.f;
}

// Output order that keeps each colour group's four gate blocks [o, f, i, g] side by side, so
// one group's gates are one contiguous range.
std::vector<int>
gate_order (int hidden, int groups)
{
  const int hg = hidden / groups;
  std::vector<int> order;
  for (int g = 0; g < groups; ++g)
    for (int b = 0; b < 4; ++b)
      for (int u = 0; u < hg; ++u)
        order.push_back (b * hidden + g * hg + u);
  return order;
}

DenseStep
from_masked (const MaskedConv2d &conv, int groups, const std::vector<int> &order = {})
{
  return DenseStep::from_conv (conv->masked_weight ().detach (), conv->bias.detach (), groups,
      order);
}

DenseStep
from_shifted (const ShiftedConv2d &conv, int groups)
{
  // Kernel index (r, c) is tap r * kw + c, as taps() lists them.
  return DenseStep::from_taps (conv->masked_weight ().detach ().flatten (2),
      conv->bias.detach (), conv->taps (), groups);
}

// A PixelCNN convolution's taps by where they read (select_taps): the rows above (bias
// included), the own row's left part (one product for every output), the own position (per
// colour group). `above` holds the Above products of the hole run being filled, a row per
// position (prepare_hole_run).
struct SplitConv {
  DenseStep above, left, own;
  std::vector<float> prepared;
};

SplitConv
split_conv (const DenseStep &s, int groups)
{
  return {select_taps (s, TapRows::Above, 1, true), select_taps (s, TapRows::Left, 1, false),
      select_taps (s, TapRows::Own, groups, false), {}};
}

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

struct Layer {
  Architecture kind;
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

}  // namespace

struct IncrementalEngine::Impl {
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
  void lstm_pointwise (const float *g, const float *prev_cell, float *cell, float *state, int g0,
      int g1) const;
  void lstm_step (Scan &s, const FeatureMap &y, int i, int j, int g0, int g1);
  // Diagonal scans at (i, j), groups g0..g1-1: adds the product with the previous state
  // along the scan (past the window's edge, the edge table) to the gates `g` (B rows), then
  // computes the cells.
  void diagonal_cells (Scan &s, int i, int j, int g0, int g1, float *g);
  void compute_edges (Scan &s);
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
  void lstm_range (Scan &s, const FeatureMap &y, int i, int a, int b);
  // Diagonal BiLSTM: the scan `s` over known positions a..b-1 of row i, in its direction. The
  // products that read the input and the row above are one per run; only the one that
  // reads the previous state along the scan goes position by position.
  void scan_range (Scan &s, const FeatureMap &y, int i, int a, int b);
  // Diagonal BiLSTM: a layer's output over positions a..b-1 of row i (forward states there
  // plus the backward states of the row above), added to `out`.
  void diagonal_output (Layer &L, int i, int a, int b, int g0, int g1, float *out);
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

IncrementalEngine::Impl::Impl (PixelModel &model)
{
  torch::NoGradGuard no_grad;
  const auto &cfg = model->config;
  C = cfg.channels;
  hidden = cfg.hidden;
  kind = cfg.architecture;
  output = cfg.output;
  mixtures = cfg.mixtures;
  input_conv = from_masked (model->input_conv, C);
  input_split = split_conv (input_conv, C);
  head_hidden = from_masked (model->head_hidden, C);
  head_out = from_masked (model->head_out, C);
  const auto order = gate_order (hidden, C);
  for (size_t l = 0; l < model->body->size (); ++l) {
    Layer L;
    L.kind = kind;
    auto module = model->body->ptr (l);
    if (auto *b = module->as<PixelCNNBlockImpl> ()) {
      L.reduce = from_masked (b->reduce, C);
      L.conv = from_masked (b->conv, C);
      L.conv_split = split_conv (L.conv, C);
      L.expand = from_masked (b->expand, C);
      L.gated = b->block == Block::Gated;
    } else if (auto *t = module->as<TwoStreamBlockImpl> ()) {
      L.reduce = from_masked (t->reduce, C);
      L.conv = from_shifted (t->conv, C);
      L.conv_split = split_conv (L.conv, C);
      L.link = from_masked (t->link, C);
      L.expand = from_masked (t->expand, C);
      L.v_reduce = from_masked (t->v_reduce, C);
      L.v_conv = from_shifted (t->v_conv, C);
      L.v_expand = from_masked (t->v_expand, C);
      L.gated = L.two_stream = two_stream = true;
    } else if (auto *r = module->as<RowLSTMImpl> ()) {
      L.forward.input_to_state = from_masked (r->input_to_state, C, order);
      const int k = (int) r->state_to_state->weight.size (2);
      std::vector<std::pair<int, int>> taps;
      for (int t = 0; t < k; ++t)
        taps.emplace_back (-1, t - k / 2);        // the previous row, centred on this column
      L.forward.state_to_state = DenseStep::from_taps (r->state_to_state->weight.detach (),
          r->state_to_state->bias.detach (), taps, C, order);
      L.output = from_masked (r->output, C);
    } else if (auto *d = module->as<DiagonalBiLSTMImpl> ()) {
      // Kernel index 0 reads the pixel above, index 1 the previous pixel along the scan.
      auto make = [&] (const DiagonalLSTM &dir, int dx) {
        Scan s;
        s.input_to_state = from_masked (dir->input_to_state, C, order);
        s.state_to_state = DenseStep::from_taps (dir->state_to_state->weight.detach (),
            dir->state_to_state->bias.detach (), {{-1, 0}, {0, dx}}, C, order);
        s.edge_dx = dx;
        return s;
      };
      L.forward = make (d->forward_dir, -1);
      L.backward = make (d->backward_dir, +1);
      L.output = from_masked (d->output, C);
    } else {
      throw std::invalid_argument ("incremental engine: unknown layer type");
    }
    layers.push_back (std::move (L));
  }
  if (two_stream)
    vertical_input = from_shifted (model->vertical_input, C);
  const auto reach_right = [&] (const DenseStep &s) {
    for (const auto &[dy, dx] : s.taps)
      if (dy < 0)
        wave_skew = std::max (wave_skew, dx + 1);
  };
  reach_right (input_conv);
  for (const auto &L : layers)
    reach_right (L.conv);
}

void
IncrementalEngine::Impl::reset (int batch, int height, int width)
{
  B = batch;
  H = height;
  W = width;
  macs = 0;
  hole_row = -1;
  input.resize (H, W, B, C);
  first.resize (H, W, B, 2 * hidden);
  for (auto &L : layers) {
    L.out.resize (H, W, B, 2 * hidden);
    if (kind == Architecture::PixelCNN) {
      L.reduced.resize (H, W, B, hidden);
      L.convolved.resize (H, W, B, hidden);
      if (L.two_stream) {
        L.v_reduced.resize (H, W, B, hidden);
        L.v_gated.resize (H, W, B, hidden);
        L.v_out.resize (H, W, B, 2 * hidden);
      }
    } else {
      L.forward.state.resize (H, W, B, hidden);
      L.forward.cell.resize (H, W, B, hidden);
    }
    if (kind == Architecture::DiagonalBiLSTM) {
      L.backward.state.resize (H, W, B, hidden);
      L.backward.cell.resize (H, W, B, hidden);
      compute_edges (L.forward);
      compute_edges (L.backward);
    }
  }
  if (two_stream)
    v_first.resize (H, W, B, 2 * hidden);
  // A step's rows: its batch rows, or a wave's positions (at most one per row).
  const size_t rows = fills_by_waves () ? std::max (B, H) : B;
  head.assign (rows * head_hidden.out, 0.f);
  logits.assign (rows * head_out.out, 0.f);
  dist.assign (rows * C * 256, 0.f);
  dist_total.assign (rows * C, 0.f);
  gates.assign ((size_t) B * 4 * hidden, 0.f);
  pairs.assign (rows * 2 * hidden, 0.f);
  for (auto &L : layers)
    if (kind == Architecture::PixelCNN)
      L.early_pairs.assign (rows * 2 * hidden, 0.f);
}

torch::Tensor
IncrementalEngine::Impl::load (const torch::Tensor &image, const char *what)
{
  if (image.dim () != 4 || image.scalar_type () != torch::kUInt8 || image.size (1) != C)
    throw std::invalid_argument (std::string (what) + ": image must be uint8 [B, " +
        std::to_string (C) + ", H, W]");
  auto px = image.contiguous ();
  auto a = px.accessor<uint8_t, 4> ();
  const int64_t b_n = a.size (0), h = a.size (2), w = a.size (3);
  reset ((int) b_n, (int) h, (int) w);
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j)
      for (int64_t b = 0; b < b_n; ++b)
        for (int64_t c = 0; c < C; ++c)
          input.at ((int) i, (int) j)[b * C + c] = scaled (a[b][c][i][j]);
  return px;
}

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
IncrementalEngine::Impl::run_range (const DenseStep &s, const FeatureMap &m, int i, int a, int b,
    bool relu, float *out, int ld, bool accumulate)
{
  macs += apply_at (s, m, i, a, b, relu, 0, C, out, ld, accumulate);
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

// ---------------------------------------------------------------------------------------

namespace {

void
log_softmax_256 (const float *in, float *out)
{
  const float top = *std::max_element (in, in + 256);
  double total = 0.0;
  for (int v = 0; v < 256; ++v)
    total += std::exp ((double) in[v] - top);
  const float shift = top + (float) std::log (total);
  for (int v = 0; v < 256; ++v)
    out[v] = in[v] - shift;
}

}  // namespace

IncrementalEngine::IncrementalEngine (PixelModel &model) : impl_ (std::make_unique<Impl> (model)) {}
IncrementalEngine::~IncrementalEngine () = default;

double
IncrementalEngine::last_flops () const
{
  return 2.0 * impl_->macs;
}

int
IncrementalEngine::last_widest_wave () const
{
  return impl_->widest_wave;
}

torch::Tensor
IncrementalEngine::fill (const torch::Tensor &image, const torch::Tensor &mask,
    const SamplingOptions &options, torch::Tensor *used_log_probs, const Conditioning *conditioning)
{
  auto &m = *impl_;
  auto out = m.load (image, "incremental fill").clone ();
  const int64_t B = out.size (0), C = out.size (1), H = out.size (2), W = out.size (3);
  if (mask.dim () != 2 || mask.size (0) != H || mask.size (1) != W)
    throw std::invalid_argument ("incremental fill: mask must be [H, W] like the image");
  auto fill = mask.to (torch::kBool).contiguous ();
  auto hole = fill.accessor<bool, 2> ();
  auto px = out.accessor<uint8_t, 4> ();
  if (used_log_probs)
    *used_log_probs = torch::zeros ({B, C, 256, H, W});
  int64_t last_i = -1, last_j = -1;
  std::vector<uint8_t> holes ((size_t) H * W);
  for (int64_t i = 0; i < H; ++i)
    for (int64_t j = 0; j < W; ++j)
      if ((holes[i * W + j] = hole[i][j])) {
        last_i = i;
        last_j = j;
      }
  if (last_i < 0)
    return out;
  m.mixture_probabilities = m.output == Output::Mixture && !conditioning && !used_log_probs &&
      chooses_from_probabilities (options);
  m.plan (holes);
  // The conditioner's parameters as [B', H, W, C, P], one sub-pixel's P floats together.
  torch::Tensor cond;
  int P = 0;
  if (conditioning) {
    const auto &p = conditioning->params;
    if (p.dim () != 5 || (p.size (0) != 1 && p.size (0) != B) || p.size (1) != C ||
        p.size (3) != H || p.size (4) != W)
      throw std::invalid_argument ("incremental fill: conditioning must be [B, C, P, H, W] like the image");
    cond = p.to (torch::kFloat32).permute ({0, 3, 4, 1, 2}).contiguous ();
    P = (int) p.size (2);
  }
  std::vector<float> combined (conditioning ? 256 : 0), cond_lp (conditioning ? 256 : 0);
  // Each drawn value's random bits, in the naive sampler's order: hole pixels in raster
  // order, then channels, then batch rows.
  std::vector<int> rank ((size_t) H * W, -1);
  int ranked = 0;
  for (size_t p = 0; p < holes.size (); ++p)
    if (holes[p])
      rank[p] = ranked++;
  std::vector<uint64_t> random_bits;
  if (uses_random_bits (options)) {
    std::mt19937_64 rng (options.seed);
    random_bits.resize ((size_t) ranked * C * B);
    for (auto &word : random_bits)
      word = rng ();
  }
  // Channel c of the step's positions: computed, then drawn.
  const auto fill_at = [&] (const Positions &at) {
    for (int64_t c = 0; c < C; ++c) {
      m.step (at, (int) c, (int) c + 1, true);
      for (int k = 0; k < at.n; ++k) {
        const int64_t i = at.row (k), j = at.column (k);
        for (int64_t b = 0; b < B; ++b) {
          const int r = k * (int) B + (int) b;
          const float *row = m.distribution (r, (int) c);
          if (conditioning) {
            const int64_t cb = cond.size (0) == 1 ? 0 : b;
            const float *cp = cond.data_ptr<float> () + (((cb * H + i) * W + j) * C + c) * P;
            mixture_log_probs_at (cp, (int) c, m.input.at ((int) i, (int) j) + b * C,
                conditioning->mixtures, cond_lp.data ());
            log_softmax_256 (row, combined.data ());
            for (int v = 0; v < 256; ++v)
              combined[v] = conditioning->model_weight * combined[v] +
                  conditioning->conditioner_weight * cond_lp[v];
            row = combined.data ();
          }
          const uint64_t word = random_bits.empty () ? 0
              : random_bits[((size_t) rank[i * W + j] * C + c) * B + b];
          const int v = m.mixture_probabilities
              ? choose_value_from_probabilities (row, m.dist_total[(size_t) r * C + c], options, word)
              : choose_value (row, options, word);
          px[b][c][i][j] = static_cast<uint8_t> (v);
          m.input.at ((int) i, (int) j)[b * C + c] = scaled (static_cast<uint8_t> (v));
          if (used_log_probs) {
            auto lp = torch::log_softmax (torch::from_blob (const_cast<float *> (row), {256}), 0);
            used_log_probs->select (4, j).select (3, i).select (1, c)[b].copy_ (lp);
          }
        }
      }
    }
  };
  m.widest_wave = 1;
  if (m.fills_by_waves ())
    m.fill_waves (holes, (int) last_i, (int) last_j, fill_at);
  else
    m.fill_raster (holes, (int) last_i, (int) last_j, fill_at);
  return out;
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

torch::Tensor
IncrementalEngine::log_likelihoods (const torch::Tensor &image)
{
  auto &m = *impl_;
  auto px = m.load (image, "incremental log-likelihoods");
  auto a = px.accessor<uint8_t, 4> ();
  const int64_t B = px.size (0), C = px.size (1), H = px.size (2), W = px.size (3);
  m.mixture_probabilities = false;
  m.plan ({});
  const int rows = (int) (W * B), hidden_out = m.head_hidden.out, out = m.head_out.out;
  m.run_head.resize ((size_t) rows * hidden_out);
  m.run_logits.resize ((size_t) rows * out);
  std::vector<double> total (B, 0.0);
  float p[256];
  for (int64_t i = 0; i < H; ++i) {
    // Every position of the row (all of it known) layer by layer, then the head over the
    // whole row: each product has a row per position and image.
    m.vertical_row ((int) i);
    m.step_run ((int) i, 0, (int) W);
    const FeatureMap &top = m.layers.empty () ? m.first : m.layers.back ().out;
    m.run_range (m.head_hidden, top, (int) i, 0, (int) W, true, m.run_head.data (), hidden_out,
        false);
    m.rectify (m.run_head.data (), rows, hidden_out, 0, hidden_out);
    m.macs += apply_step (m.head_out, m.run_head.data (), rows, 0, (int) C, m.run_logits.data (),
        out, false);
    for (int64_t j = 0; j < W; ++j)
      for (int64_t b = 0; b < B; ++b) {
        const float *logits = m.run_logits.data () + (size_t) (j * B + b) * out;
        for (int64_t c = 0; c < C; ++c) {
          const int v = a[b][c][i][j];
          if (m.output == Output::Mixture) {
            const int P = out / (int) C;
            total[b] += mixture_log_prob_of (logits + c * P, (int) c,
                m.input.at ((int) i, (int) j) + b * C, m.mixtures, v);
          } else {
            const float *row = logits + c * 256, top_logit = row[first_max (row, 256)];
            total[b] += row[v] - top_logit - std::log ((double) shifted_exps (row, 256, top_logit, 1.f, p));
          }
        }
      }
    m.backward_row ((int) i);
  }
  return torch::tensor (total, torch::kFloat64);
}

torch::Tensor
IncrementalEngine::logits (const torch::Tensor &image)
{
  auto &m = *impl_;
  auto px = m.load (image, "incremental logits");
  const int64_t B = px.size (0), C = px.size (1), H = px.size (2), W = px.size (3);
  m.mixture_probabilities = false;
  m.plan ({});
  auto result = torch::empty ({B, C, 256, H, W});
  auto r = result.accessor<float, 5> ();
  for (int64_t i = 0; i < H; ++i) {
    m.vertical_row ((int) i);
    for (int64_t j = 0; j < W; ++j) {
      m.step (Positions::run ((int) i, (int) j, (int) j + 1), 0, (int) C, true);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
          for (int v = 0; v < 256; ++v)
            r[b][c][v][i][j] = m.distribution ((int) b, (int) c)[v];
    }
    m.backward_row ((int) i);
  }
  return result;
}

}  // namespace pixelrnn
