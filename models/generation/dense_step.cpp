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

void
FeatureMap::resize (int h, int w, int b, int f)
{
  if (h != height || w != width || b != batch || f != features)
    reset (h, w, b, f);
}

static DenseStep
pack (const torch::Tensor &w3, const torch::Tensor &bias,
    const std::vector<std::pair<int, int>> &taps, int groups, const std::vector<int> &order,
    const ProductKernel &kernel)
{
  // w3: [out, in, taps]
  DenseStep s;
  s.taps = taps;
  s.out = (int) w3.size (0);
  s.in = (int) w3.size (1);
  s.groups = groups;
  s.kernel = &kernel;
  auto w = w3.to (torch::kFloat32).contiguous ();
  auto a = w.accessor<float, 3> ();
  auto b = bias.to (torch::kFloat32).contiguous ();
  const int K = s.patch_size ();
  s.bias.assign (s.out, 0.f);
  for (int k = 0; k < s.out; ++k)
    s.bias[k] = b[order.empty () ? k : order[k]].item<float> ();
  size_t total = 0;
  for (int g = 0; g < groups; ++g) {
    const int m = s.first (g + 1) - s.first (g);
    s.offset.push_back (total);
    s.stride.push_back ((m + kernel.lanes - 1) / kernel.lanes * kernel.lanes);
    total += (size_t) K * s.stride.back ();
  }
  s.packed.assign (total, 0.f);
  for (int g = 0; g < groups; ++g)
    for (int k = s.first (g); k < s.first (g + 1); ++k) {
      const int o = order.empty () ? k : order[k];
      float *column = s.packed.data () + s.offset[g] + (k - s.first (g));
      for (size_t t = 0; t < taps.size (); ++t)
        for (int c = 0; c < s.in; ++c)
          column[(t * s.in + c) * s.stride[g]] = a[o][c][t];
    }
  return s;
}

DenseStep
DenseStep::from_conv (const torch::Tensor &weight, const torch::Tensor &bias, int groups,
    const std::vector<int> &order, const ProductKernel &kernel)
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
  return pack (torch::stack (columns, 2), bias, taps, groups, order, kernel);
}

DenseStep
DenseStep::from_taps (const torch::Tensor &weight, const torch::Tensor &bias,
    const std::vector<std::pair<int, int>> &taps, int groups, const std::vector<int> &order,
    const ProductKernel &kernel)
{
  return pack (weight, bias, taps, groups, order, kernel);
}

void
gather_tap (const DenseStep &s, const FeatureMap &map, size_t t, int i, int j, bool relu,
    float *patch)
{
  const int K = s.patch_size ();
  const int y = i + s.taps[t].first, x = j + s.taps[t].second;
  const bool inside = map.inside (y, x);
  for (int b = 0; b < map.batch; ++b) {
    float *dst = patch + (size_t) b * K + t * s.in;
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

void
gather_patch (const DenseStep &s, const FeatureMap &map, int i, int j, bool relu, float *patch)
{
  for (size_t t = 0; t < s.taps.size (); ++t)
    gather_tap (s, map, t, i, j, relu, patch);
}

void
gather_patch (const DenseStep &s, const FeatureMap &map, int i, int j, bool relu,
    std::vector<float> &patch)
{
  patch.resize ((size_t) map.batch * s.patch_size ());
  gather_patch (s, map, i, j, relu, patch.data ());
}

void
apply_step (const DenseStep &s, const float *patch, int rows, int g0, int g1, float *out,
    int ld, bool accumulate, bool add_bias)
{
  const int K = s.patch_size ();
  for (int g = g0; g < g1; ++g) {
    const int o0 = s.first (g), m = s.first (g + 1) - o0;
    if (m <= 0)
      continue;
    const float *bias = s.bias.data () + o0;
    for (int r = 0; r < rows; ++r) {
      float *row = out + (size_t) r * ld + o0;
      if (!accumulate && add_bias)
        std::copy_n (bias, m, row);
      else if (!accumulate)
        std::fill_n (row, m, 0.f);
      else if (add_bias)
        for (int k = 0; k < m; ++k)
          row[k] += bias[k];
    }
    s.kernel->multiply (s.packed.data () + s.offset[g], s.stride[g], patch, K, rows, K,
        out + o0, ld, m);
  }
}

double
dense_matmul_gflops (int n, int repeats)
{
  auto a = torch::rand ({n, n}), b = torch::rand ({n, n});
  auto c = torch::mm (a, b);
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now ();
    torch::mm_out (c, a, b);
    seconds.push_back (std::chrono::duration<double> (std::chrono::steady_clock::now () - start).count ());
  }
  std::nth_element (seconds.begin (), seconds.begin () + seconds.size () / 2, seconds.end ());
  return 2.0 * n * n * (double) n / seconds[seconds.size () / 2] / 1e9;
}

}  // namespace pixelrnn
