#include "dense_step.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace pixelrnn {

void
FeatureMap::reset (int h, int w, int b, int f)
{
  height = h;
  width = w;
  batch = b;
  features = f;
  data.assign ((size_t) h * w * b * f, 0.f);
}

static DenseStep
pack (const torch::Tensor &w3, const torch::Tensor &bias,
    const std::vector<std::pair<int, int>> &taps, const std::vector<int> &order)
{
  // w3: [out, in, taps]
  DenseStep s;
  s.taps = taps;
  s.out = (int) w3.size (0);
  s.in = (int) w3.size (1);
  auto w = w3.to (torch::kFloat32).contiguous ();
  auto a = w.accessor<float, 3> ();
  auto b = bias.to (torch::kFloat32).contiguous ();
  s.weight.assign ((size_t) taps.size () * s.in * s.out, 0.f);
  s.bias.assign (s.out, 0.f);
  for (int k = 0; k < s.out; ++k) {
    int o = order.empty () ? k : order[k];
    s.bias[k] = b[o].item<float> ();
    for (size_t t = 0; t < taps.size (); ++t)
      for (int c = 0; c < s.in; ++c)
        s.weight[((size_t) t * s.in + c) * s.out + k] = a[o][c][t];
  }
  return s;
}

DenseStep
DenseStep::from_conv (const torch::Tensor &weight, const torch::Tensor &bias,
    const std::vector<int> &order)
{
  const int kh = (int) weight.size (2), kw = (int) weight.size (3);
  const int cy = kh / 2, cx = kw / 2;
  std::vector<std::pair<int, int>> taps;
  std::vector<torch::Tensor> columns;
  for (int y = 0; y <= cy; ++y)
    for (int x = 0; x < kw; ++x) {
      if (y == cy && x > cx)
        break;
      taps.emplace_back (y - cy, x - cx);
      columns.push_back (weight.select (3, x).select (2, y));
    }
  return pack (torch::stack (columns, 2), bias, taps, order);
}

DenseStep
DenseStep::from_taps (const torch::Tensor &weight, const torch::Tensor &bias,
    const std::vector<std::pair<int, int>> &taps, const std::vector<int> &order)
{
  return pack (weight, bias, taps, order);
}

void
gather_patch (const DenseStep &s, const FeatureMap &map, int i, int j, bool relu,
    std::vector<float> &patch)
{
  const int K = (int) s.taps.size () * s.in;
  patch.resize ((size_t) map.batch * K);
  for (size_t t = 0; t < s.taps.size (); ++t) {
    const int y = i + s.taps[t].first, x = j + s.taps[t].second;
    const bool inside = map.inside (y, x);
    for (int b = 0; b < map.batch; ++b) {
      float *dst = patch.data () + (size_t) b * K + t * s.in;
      if (!inside) {
        std::memset (dst, 0, sizeof (float) * s.in);
        continue;
      }
      const float *src = map.at (y, x) + (size_t) b * map.features;
      if (relu)
        for (int c = 0; c < s.in; ++c)
          dst[c] = src[c] > 0.f ? src[c] : 0.f;
      else
        std::memcpy (dst, src, sizeof (float) * s.in);
    }
  }
}

namespace {

// y[0:m] += sum_k x[k] * W[k, 0:m] (W rows `ldw` apart). Outputs in blocks of 32 kept in
// registers across the whole k loop; inputs that are exactly zero (half of them, after a
// ReLU) are skipped. Compiled for AVX2+FMA and for baseline x86-64, picked at load time.
__attribute__ ((target_clones ("arch=haswell", "default"))) void
accumulate_rows (const float *W, int ldw, const float *x, int K, float *y, int m)
{
  int o = 0;
  for (; o + 32 <= m; o += 32) {
    float acc[32];
    for (int t = 0; t < 32; ++t)
      acc[t] = y[o + t];
    for (int k = 0; k < K; ++k) {
      const float xv = x[k];
      if (xv == 0.f)
        continue;
      const float *w = W + (size_t) k * ldw + o;
      for (int t = 0; t < 32; ++t)
        acc[t] += xv * w[t];
    }
    for (int t = 0; t < 32; ++t)
      y[o + t] = acc[t];
  }
  for (; o < m; ++o) {
    float acc = y[o];
    for (int k = 0; k < K; ++k)
      acc += x[k] * W[(size_t) k * ldw + o];
    y[o] = acc;
  }
}

// The same for four batch rows at once: each weight row loaded once feeds four accumulators
// (best-of's candidates share the weights). x rows are `ldx` apart, y rows `ldy`.
__attribute__ ((target_clones ("arch=haswell", "default"))) void
accumulate_rows4 (const float *W, int ldw, const float *x, int ldx, int K, float *y, int ldy,
    int m)
{
  int o = 0;
  for (; o + 16 <= m; o += 16) {
    float acc[4][16];
    for (int b = 0; b < 4; ++b)
      for (int t = 0; t < 16; ++t)
        acc[b][t] = y[(size_t) b * ldy + o + t];
    for (int k = 0; k < K; ++k) {
      const float *w = W + (size_t) k * ldw + o;
      for (int b = 0; b < 4; ++b) {
        const float xv = x[(size_t) b * ldx + k];
        for (int t = 0; t < 16; ++t)
          acc[b][t] += xv * w[t];
      }
    }
    for (int b = 0; b < 4; ++b)
      for (int t = 0; t < 16; ++t)
        y[(size_t) b * ldy + o + t] = acc[b][t];
  }
  if (o < m)
    for (int b = 0; b < 4; ++b)
      accumulate_rows (W + o, ldw, x + (size_t) b * ldx, K, y + (size_t) b * ldy + o, m - o);
}

}  // namespace

void
apply_step (const DenseStep &s, const std::vector<float> &patch, int batch, int o0, int o1,
    float *out, int ld, bool accumulate, bool add_bias)
{
  const int m = o1 - o0, K = (int) s.taps.size () * s.in;
  if (m <= 0)
    return;
  for (int b = 0; b < batch; ++b) {
    float *row = out + (size_t) b * ld + o0;
    if (!accumulate)
      std::fill (row, row + m, 0.f);
    if (add_bias)
      for (int k = 0; k < m; ++k)
        row[k] += s.bias[o0 + k];
  }
  int b = 0;
  for (; b + 4 <= batch; b += 4)
    accumulate_rows4 (s.weight.data () + o0, s.out, patch.data () + (size_t) b * K, K, K,
        out + (size_t) b * ld + o0, ld, m);
  for (; b < batch; ++b)
    accumulate_rows (s.weight.data () + o0, s.out, patch.data () + (size_t) b * K, K,
        out + (size_t) b * ld + o0, m);
}

double
dense_matmul_gflops (int n, int repeats)
{
  auto a = torch::rand ({n, n}), b = torch::rand ({n, n});
  auto c = torch::mm (a, b);
  auto start = std::chrono::steady_clock::now ();
  for (int r = 0; r < repeats; ++r)
    c = torch::mm (a, b);
  double s = std::chrono::duration<double> (std::chrono::steady_clock::now () - start).count ();
  return 2.0 * n * n * (double) n * repeats / s / 1e9;
}

}  // namespace pixelrnn
