#include "axis_fill.h"

#include <vector>

namespace pixelrnn {

namespace {

// The mean of the known values among (i, j) and its two neighbours across the line of sight
// (rows i-1, i+1 when `across_rows`, else columns j-1, j+1). (i, j) itself is known.
float
across_mean (const float *plane, const float *kn, int64_t H, int64_t W, int64_t i, int64_t j,
    bool across_rows)
{
  float sum = 0.f, n = 0.f;
  for (int64_t d = -1; d <= 1; ++d) {
    const int64_t y = across_rows ? i + d : i, x = across_rows ? j : j + d;
    if (y < 0 || y >= H || x < 0 || x >= W || kn[y * W + x] <= 0.f)
      continue;
    sum += plane[y * W + x];
    n += 1.f;
  }
  return sum / n;
}

// Along one line of `count` pixels (`first`, then every `step`), each pixel's position on
// the line of the nearest known pixel at or before it, or at or after it when `backwards`;
// -1 where there is none.
void
nearest_known (const float *kn, int64_t first, int64_t step, int64_t count, bool backwards,
    std::vector<int64_t> &nearest)
{
  int64_t last = -1;
  for (int64_t n = 0; n < count; ++n) {
    const int64_t k = backwards ? count - 1 - n : n, p = first + k * step;
    nearest[p] = last = kn[p] > 0.f ? k : last;
  }
}

}  // namespace

torch::Tensor
axis_fill (const torch::Tensor &x, const torch::Tensor &known, const torch::Tensor &fallback)
{
  const int64_t B = x.size (0), C = x.size (1), H = x.size (2), W = x.size (3);
  // Reads come from the untouched input, writes go to its copy.
  const auto input = x.to (torch::kFloat32).contiguous ();
  auto out = input.clone ();
  auto k = known.to (torch::kFloat32).expand ({B, 1, H, W}).contiguous ();
  auto back = fallback.to (torch::kFloat32).contiguous ();
  const float *fb = back.data_ptr<float> ();
  float *data = out.data_ptr<float> ();
  // Per pixel: the nearest known column to the left and right on its row, row above and
  // below in its column (-1: none).
  std::vector<int64_t> left (H * W), right (H * W), up (H * W), down (H * W);
  for (int64_t b = 0; b < B; ++b) {
    const float *kn = k.data_ptr<float> () + b * H * W;
    for (int64_t i = 0; i < H; ++i) {
      nearest_known (kn, i * W, 1, W, false, left);
      nearest_known (kn, i * W, 1, W, true, right);
    }
    for (int64_t j = 0; j < W; ++j) {
      nearest_known (kn, j, W, H, false, up);
      nearest_known (kn, j, W, H, true, down);
    }
    for (int64_t c = 0; c < C; ++c) {
      float *dst = data + (b * C + c) * H * W;
      const float *src = input.data_ptr<float> () + (b * C + c) * H * W;
      for (int64_t p = 0; p < H * W; ++p) {
        if (kn[p] > 0.f)
          continue;
        const int64_t i = p / W, j = p % W;
        float sum = 0.f, weight = 0.f;
        auto add = [&] (int64_t y, int64_t x_, int64_t distance, bool across_rows) {
          const float w = 1.f / (float) distance;
          sum += w * across_mean (src, kn, H, W, y, x_, across_rows);
          weight += w;
        };
        if (left[p] >= 0) add (i, left[p], j - left[p], true);
        if (right[p] >= 0) add (i, right[p], right[p] - j, true);
        if (up[p] >= 0) add (up[p], j, i - up[p], false);
        if (down[p] >= 0) add (down[p], j, down[p] - i, false);
        dst[p] = weight > 0.f ? sum / weight : fb[(b * C + c) * H * W + p];
      }
    }
  }
  return out;
}

}  // namespace pixelrnn
