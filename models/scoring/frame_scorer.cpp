#include "scoring/frame_scorer.h"

#include "network/mixture_kernel.h"
#include "scoring/frame_kernels.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace pixelrnn {

FrameScorer::FrameScorer (FramePlan plan) : plan_ (std::move (plan))
{
  if (plan_.channels < 1 || plan_.channels > 4 || plan_.head.size () != 2 ||
      plan_.mixtures < 1 || plan_.mixtures > kMaxMixtures)
    throw std::invalid_argument ("frame scorer: unsupported plan");
}

double
FrameScorer::multiply_adds_per_pixel () const
{
  double n = 0;
  for (const auto *layers : {&plan_.body, &plan_.head})
    for (const auto &layer : *layers)
      for (const auto &taps : layer.taps)
        n += (double) taps.size ();
  return n;
}

int
FrameScorer::rows_above () const
{
  int rows = 0;
  for (const auto &layer : plan_.body)
    rows += layer.rows_above;
  return rows;
}

void
FrameScorer::resize (int width, int height)
{
  width_ = width;
  height_ = height;
  const long plane = (long) width * height;
  sets_.assign (plan_.body.size () + 1, {});
  sets_[0].assign (plan_.channels * plane, 0.f);
  for (size_t l = 0; l < plan_.body.size (); ++l)
    sets_[l + 1].assign (plan_.body[l].out_channels * plane, 0.f);
  values_.assign (plan_.channels * plane, 0.f);
  previous_.clear ();
  last_nll_.assign (plane, 0.f);
}

void
FrameScorer::score (const uint8_t *pixels, int width, int height, std::vector<float> &nll,
    bool reuse, const float *conditioning, int scale)
{
  if (scale < 1)
    throw std::invalid_argument ("frame scorer: conditioning scale below 1");
  if (width < 1 || height < 1)
    throw std::invalid_argument ("frame scorer: empty frame");
  if (plan_.conditioned != (conditioning != nullptr))
    throw std::invalid_argument (plan_.conditioned ? "frame scorer: this plan needs its conditioning"
                                                   : "frame scorer: conditioning given to a plan without");
  const int C = plan_.channels;
  const long plane = (long) width * height;
  const size_t row_bytes = (size_t) width * C;
  if (width != width_ || height != height_)
    resize (width, height);
  const bool have_previous = reuse && !previous_.empty ();
  // Which input rows changed; every layer's rows that read one of them are dirty.
  std::vector<char> dirty (height);
  for (int y = 0; y < height; ++y)
    dirty[y] = !have_previous ||
        std::memcmp (pixels + y * row_bytes, previous_.data () + y * row_bytes, row_bytes) != 0;
  std::vector<int> rows;
  for (int y = 0; y < height; ++y)
    if (dirty[y])
      rows.push_back (y);
  float *scaled = sets_[0].data ();
  float *values = values_.data ();
#pragma omp parallel for schedule (static)
  for (size_t i = 0; i < rows.size (); ++i) {
    const int y = rows[i];
    const uint8_t *src = pixels + y * row_bytes;
    for (int c = 0; c < C; ++c) {
      float *s = scaled + c * plane + (long) y * width, *v = values + c * plane + (long) y * width;
      for (int x = 0; x < width; ++x) {
        v[x] = src[x * C + c];
        s[x] = v[x] * (2.f / 255.f) - 1.f;   // scale_input's arithmetic
      }
    }
  }
  // The conditioning at its own (coarse) size: which of its rows changed since the last frame.
  const int conditioned_outputs = conditioning ? plan_.body[0].out_channels : 0;
  const int cw = (width + scale - 1) / scale, ch = (height + scale - 1) / scale;
  const long coarse_plane = (long) cw * ch;
  const bool have_conditioning = have_previous &&
      previous_conditioning_.size () == (size_t) conditioned_outputs * coarse_plane;
  std::vector<char> coarse_changed (conditioning ? ch : 0, 0);
  for (int r = 0; r < (int) coarse_changed.size (); ++r)
    for (int o = 0; o < conditioned_outputs && !coarse_changed[r]; ++o)
      coarse_changed[r] = !have_conditioning || std::memcmp (conditioning + o * coarse_plane + (long) r * cw,
          previous_conditioning_.data () + o * coarse_plane + (long) r * cw, sizeof (float) * cw) != 0;
  for (size_t l = 0; l < plan_.body.size (); ++l) {
    const auto &layer = plan_.body[l];
    // This layer reads rows y - rows_above .. y of its input: dirty if any of those is.
    std::vector<char> next (height, 0);
    for (int y = 0; y < height; ++y)
      for (int dy = 0; dy <= layer.rows_above && !next[y]; ++dy)
        next[y] = y - dy >= 0 && dirty[y - dy];
    if (l == 0 && conditioning)   // the first layer adds the conditioning: its rows count too
      for (int y = 0; y < height; ++y)
        next[y] = next[y] || coarse_changed[y / scale];
    dirty.swap (next);
    rows.clear ();
    for (int y = 0; y < height; ++y)
      if (dirty[y])
        rows.push_back (y);
    const float *in = sets_[layer.input].data ();
    const float *residual = layer.residual >= 0 ? sets_[layer.residual].data () : nullptr;
    float *out = sets_[l + 1].data ();
#pragma omp parallel for schedule (static)
    for (size_t i = 0; i < rows.size (); ++i) {
      const int y = rows[i];
      layer_row (layer, in, residual, plane, y, width, out + (long) y * width, plane);
      if (l == 0 && conditioning)
        for (int o = 0; o < conditioned_outputs; ++o) {
          float *row = out + o * plane + (long) y * width;
          const float *add = conditioning + o * coarse_plane + (long) (y / scale) * cw;
          for (int x = 0; x < width; ++x)
            row[x] += add[x / scale];
        }
    }
  }
  last_rows_computed_ = (int) rows.size ();   // every row without a previous frame
  head_rows (rows, last_nll_);
  previous_.assign (pixels, pixels + plane * C);
  if (conditioning)
    previous_conditioning_.assign (conditioning, conditioning + conditioned_outputs * coarse_plane);
  nll = last_nll_;
}

void
FrameScorer::head_rows (const std::vector<int> &rows, std::vector<float> &nll)
{
  const int C = plan_.channels, W = width_, P = plan_.params_per_channel;
  const long plane = (long) width_ * height_;
  const auto &hidden = plan_.head[0], &out = plan_.head[1];
  const float *features = sets_.back ().data ();
  const float *scaled = sets_[0].data ();
#pragma omp parallel
  {
    std::vector<float> h ((size_t) hidden.out_channels * W), params ((size_t) out.out_channels * W);
#pragma omp for schedule (static)
    for (size_t i = 0; i < rows.size (); ++i) {
      const int y = rows[i];
      // The head is 1x1: its input is this row alone (a one-row "plane").
      layer_row (hidden, features + (long) y * W, nullptr, plane, 0, W, h.data (), W);
      layer_row (out, h.data (), nullptr, W, 0, W, params.data (), W);
      float *row_nll = nll.data () + (long) y * W;
      std::fill_n (row_nll, W, 0.f);
      const float *known[4];
      for (int c = 0; c < C; ++c) {
        known[c] = scaled + c * plane + (long) y * W;
        mixture_nll_row (params.data () + (long) c * P * W, W, c, known,
            values_.data () + c * plane + (long) y * W, plan_.mixtures, W, row_nll);
      }
    }
  }
}

}  // namespace pixelrnn
