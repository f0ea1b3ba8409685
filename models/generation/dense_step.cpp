#include "dense_step.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

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
    s.stride.push_back ((m + kernel.pad - 1) / kernel.pad * kernel.pad);
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
  // Each group's rows past its last non-zero one: the mask hides the own position's later
  // colour groups from it, so those rows are zeros the products need not read.
  for (int g = 0; g < groups; ++g) {
    int used = K;
    const float *block = s.packed.data () + s.offset[g];
    while (used > 0 && std::all_of (block + (size_t) (used - 1) * s.stride[g],
        block + (size_t) used * s.stride[g], [] (float v) { return v == 0.f; }))
      --used;
    s.rows_used.push_back (used);
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

DenseStep
select_taps (const DenseStep &s, TapRows which, int groups, bool with_bias)
{
  std::vector<std::pair<int, int>> taps;
  std::vector<size_t> from;
  for (size_t t = 0; t < s.taps.size (); ++t) {
    const auto [dy, dx] = s.taps[t];
    const TapRows kind = dy < 0 ? TapRows::Above : dx != 0 ? TapRows::Left : TapRows::Own;
    if (kind == which) {
      taps.push_back (s.taps[t]);
      from.push_back (t);
    }
  }
  auto w3 = torch::zeros ({s.out, s.in, (int64_t) taps.size ()});
  auto a = w3.accessor<float, 3> ();
  for (int g = 0; g < s.groups; ++g)
    for (int k = s.first (g); k < s.first (g + 1); ++k)
      for (size_t t = 0; t < from.size (); ++t)
        for (int c = 0; c < s.in; ++c)
          a[k][c][t] = s.packed[s.offset[g] + (from[t] * s.in + c) * s.stride[g] + (k - s.first (g))];
  auto bias = torch::from_blob (const_cast<float *> (s.bias.data ()), {s.out}).clone ();
  if (!with_bias)
    bias.zero_ ();
  return pack (w3, bias, taps, groups, {}, *s.kernel);
}

namespace {

// Groups g0..g1-1 of out (rows x ld) set to the bias, or the bias added.
void
start_outputs (const DenseStep &s, int rows, int g0, int g1, float *out, int ld, bool accumulate,
    bool add_bias)
{
  const int o0 = s.first (g0), m = s.first (g1) - o0;
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
}

}  // namespace

double
apply_tap_rows (const DenseStep &s, size_t t, int count, const float *x, int ldx, int rows,
    bool relu, int g0, int g1, float *out, int ld)
{
  const auto multiply = relu ? s.kernel->multiply_relu : s.kernel->multiply;
  double macs = 0;
  for (int g = g0; g < g1; ++g) {
    const int o0 = s.first (g), m = s.first (g + 1) - o0;
    const int K = std::min (count * s.in, s.rows_used[g] - (int) t * s.in);
    if (m > 0 && K > 0) {
      multiply (s.packed.data () + s.offset[g] + t * s.in * s.stride[g], s.stride[g], x, ldx,
          rows, K, out + o0, ld, m);
      macs += (double) rows * K * m;
    }
  }
  return macs;
}

double
apply_taps (const DenseStep &s, const FeatureMap &map, const Positions &at, bool relu, int g0,
    int g1, float *out, int ld, size_t t0, size_t t1)
{
  if (map.features != s.in)
    throw std::logic_error ("incremental engine: a step of " + std::to_string (s.in) +
        " inputs reads a map of " + std::to_string (map.features) + " features");
  const int B = map.batch, F = map.features;
  if (at.skew && at.n > 1 && B != 1)
    throw std::logic_error ("incremental engine: a wave of positions needs one batch row");
  const size_t apart = at.apart (map);
  t1 = std::min (t1, s.taps.size ());
  double macs = 0;
  for (size_t t = t0; t < t1;) {
    const int dy = s.taps[t].first, dx = s.taps[t].second;
    size_t e = t + 1;
    if (B == 1)
      while (e < t1 && s.taps[e].first == dy && s.taps[e].second == s.taps[e - 1].second + 1)
        ++e;
    const int count = (int) (e - t);
    // Where position k's stretch of `count` taps lies inside the window.
    const auto inside = [&] (int k) {
      const int y = at.row (k) + dy, x = at.column (k) + dx;
      return y >= 0 && y < map.height && x >= 0 && x + count <= map.width;
    };
    // The first block of positions inside is one product (row r of it is position k's batch
    // row: evenly spaced in the map); the rest (a few, at the window's edges) one by one.
    int lo = 0;
    while (lo < at.n && !inside (lo))
      ++lo;
    int hi = lo;
    while (hi < at.n && inside (hi))
      ++hi;
    if (lo < hi)
      macs += apply_tap_rows (s, t, count, map.at (at.row (lo) + dy, at.column (lo) + dx),
          at.n > 1 ? (int) (apart / B) : F, (hi - lo) * B, relu, g0, g1,
          out + (size_t) lo * B * ld, ld);
    for (int k = 0; k < at.n; ++k) {
      const int y = at.row (k) + dy, j = at.column (k);
      if ((k >= lo && k < hi) || y < 0 || y >= map.height)
        continue;
      const int x0 = std::max (j + dx, 0), x1 = std::min (j + dx + count, map.width);
      if (x0 < x1)
        macs += apply_tap_rows (s, t + (x0 - j - dx), x1 - x0, map.at (y, x0), F, B, relu,
            g0, g1, out + (size_t) k * B * ld, ld);
    }
    t = e;
  }
  return macs;
}

double
apply_at (const DenseStep &s, const FeatureMap &map, const Positions &at, bool relu, int g0,
    int g1, float *out, int ld, bool accumulate, size_t t0, size_t t1)
{
  start_outputs (s, at.n * map.batch, g0, g1, out, ld, accumulate, true);
  return apply_taps (s, map, at, relu, g0, g1, out, ld, t0, t1);
}

double
apply_step (const DenseStep &s, const float *patch, int rows, int g0, int g1, float *out,
    int ld, bool accumulate, bool add_bias)
{
  start_outputs (s, rows, g0, g1, out, ld, accumulate, add_bias);
  return apply_tap_rows (s, 0, (int) s.taps.size (), patch, s.patch_size (), rows, false, g0,
      g1, out, ld);
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
