#include "generation/incremental_engine_impl.h"

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

using engine::SplitConv;

SplitConv
split_conv (const DenseStep &s, int groups)
{
  return {select_taps (s, TapRows::Above, 1, true), select_taps (s, TapRows::Left, 1, false),
      select_taps (s, TapRows::Own, groups, false), {}};
}

}  // namespace

IncrementalEngine::Impl::Impl (PixelModel &model)
{
  torch::NoGradGuard no_grad;
  const auto &cfg = model->config;
  if (cfg.multi_scale ())
    throw std::invalid_argument ("the incremental engine draws one-scale models only (a multi-scale "
        "model's pixels are not drawn in raster order)");
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
    auto module = model->body->ptr (l);
    if (auto *b = module->as<PixelCNNBlockImpl> ()) {
      L.reduce = from_masked (b->reduce, C);
      L.conv = from_masked (b->conv, C);
      L.conv_split = split_conv (L.conv, C);
      L.expand = from_masked (b->expand, C);
      L.gated = b->block == Block::Gated;
      L.stepper = &engine::pixelcnn_layers ();
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
      L.stepper = &engine::pixelcnn_layers ();
    } else if (auto *r = module->as<RowLSTMImpl> ()) {
      L.forward.input_to_state = from_masked (r->input_to_state, C, order);
      const int k = (int) r->state_to_state->weight.size (2);
      std::vector<std::pair<int, int>> taps;
      for (int t = 0; t < k; ++t)
        taps.emplace_back (-1, t - k / 2);        // the previous row, centred on this column
      L.forward.state_to_state = DenseStep::from_taps (r->state_to_state->weight.detach (),
          r->state_to_state->bias.detach (), taps, C, order);
      L.output = from_masked (r->output, C);
      L.stepper = &engine::row_lstm_layers ();
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
      L.stepper = &engine::diagonal_bilstm_layers ();
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
  // A step's rows: its batch rows, or a wave's positions (at most one per row).
  const size_t rows = fills_by_waves () ? std::max (B, H) : B;
  for (auto &L : layers) {
    L.out.resize (H, W, B, 2 * hidden);
    L.stepper->resize (*this, L, rows);
  }
  if (two_stream)
    v_first.resize (H, W, B, 2 * hidden);
  head.assign (rows * head_hidden.out, 0.f);
  logits.assign (rows * head_out.out, 0.f);
  dist.assign (rows * C * 256, 0.f);
  dist_total.assign (rows * C, 0.f);
  gates.assign ((size_t) B * 4 * hidden, 0.f);
  pairs.assign (rows * 2 * hidden, 0.f);
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
