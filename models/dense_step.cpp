#include "dense_step.h"

#include <algorithm>
#include <chrono>
#include <cstring>

// The BLAS LibTorch itself calls (libblas.so.3: OpenBLAS when installed). Fortran interface.
extern "C" {
void sgemm_ (const char *ta, const char *tb, const int *m, const int *n, const int *k,
    const float *alpha, const float *a, const int *lda, const float *b, const int *ldb,
    const float *beta, float *c, const int *ldc);
void sgemv_ (const char *t, const int *m, const int *n, const float *alpha, const float *a,
    const int *lda, const float *x, const int *incx, const float *beta, float *y,
    const int *incy);
}

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

void
apply_step (const DenseStep &s, const std::vector<float> &patch, int batch, int o0, int o1,
    float *out, int ld, bool accumulate, bool add_bias)
{
  const int m = o1 - o0, K = (int) s.taps.size () * s.in, lda = s.out, one = 1;
  const float alpha = 1.f;
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
  const float beta = 1.f;
  if (batch == 1) {
    // y[o] += sum_k W[k, o] x[k]: W stored [K, out] row-major is column-major [out, K].
    sgemv_ ("N", &m, &K, &alpha, s.weight.data () + o0, &lda, patch.data (), &one, &beta, out + o0,
        &one);
  } else {
    // Column-major view: out^T[m, batch] += W^T[m, K] * patch^T[K, batch].
    sgemm_ ("N", "N", &m, &batch, &K, &alpha, s.weight.data () + o0, &lda, patch.data (), &K,
        &beta, out + o0, &ld);
  }
}

double
dense_matmul_gflops (int n, int repeats)
{
  std::vector<float> a ((size_t) n * n, 0.5f), b ((size_t) n * n, 0.25f), c ((size_t) n * n);
  const float alpha = 1.f, beta = 0.f;
  sgemm_ ("N", "N", &n, &n, &n, &alpha, a.data (), &n, b.data (), &n, &beta, c.data (), &n);
  auto start = std::chrono::steady_clock::now ();
  for (int r = 0; r < repeats; ++r)
    sgemm_ ("N", "N", &n, &n, &n, &alpha, a.data (), &n, b.data (), &n, &beta, c.data (), &n);
  double s = std::chrono::duration<double> (std::chrono::steady_clock::now () - start).count ();
  return 2.0 * n * n * (double) n * repeats / s / 1e9;
}

}  // namespace pixelrnn
