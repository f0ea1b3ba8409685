#include "steered_fill.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pixelrnn {

namespace {

struct Box {
  int64_t top, left, bottom, right;   // inclusive
};

// 8-connected holes of `kn` (<= 0: hole): each hole pixel's label and every label's box.
std::vector<Box>
label_holes (const float *kn, int64_t H, int64_t W, std::vector<int> &label)
{
  std::vector<Box> boxes;
  label.assign (H * W, -1);
  std::vector<int64_t> stack;
  for (int64_t p = 0; p < H * W; ++p) {
    if (kn[p] > 0.f || label[p] >= 0)
      continue;
    const int id = (int) boxes.size ();
    Box b{p / W, p % W, p / W, p % W};
    label[p] = id;
    stack.push_back (p);
    while (!stack.empty ()) {
      const int64_t q = stack.back ();
      stack.pop_back ();
      const int64_t i = q / W, j = q % W;
      b.top = std::min (b.top, i);
      b.bottom = std::max (b.bottom, i);
      b.left = std::min (b.left, j);
      b.right = std::max (b.right, j);
      for (int64_t di = -1; di <= 1; ++di)
        for (int64_t dj = -1; dj <= 1; ++dj) {
          const int64_t y = i + di, x = j + dj;
          if (y < 0 || y >= H || x < 0 || x >= W)
            continue;
          const int64_t r = y * W + x;
          if (kn[r] <= 0.f && label[r] < 0) {
            label[r] = id;
            stack.push_back (r);
          }
        }
    }
    boxes.push_back (b);
  }
  return boxes;
}

// The four directions a hole is filled along: (dy, dx) for 0, 45, 90 and 135 degrees of an
// edge in image coordinates (y down).
constexpr int64_t kDirections[4][2] = {{0, 1}, {1, 1}, {1, 0}, {1, -1}};

// Dominant edge direction (index into kDirections) and coherence 0..1 of the known band
// 2..4 px around `b`, from the structure tensor of the channel-mean image (Sobel gradients
// taken only where all nine pixels are known).
void
edge_direction (const float *gray, const float *kn, int64_t H, int64_t W, const Box &b, int &direction,
    double &coherence)
{
  constexpr int64_t kBand = 4;
  double jxx = 0, jyy = 0, jxy = 0;
  for (int64_t i = std::max<int64_t> (1, b.top - kBand); i <= std::min (H - 2, b.bottom + kBand); ++i)
    for (int64_t j = std::max<int64_t> (1, b.left - kBand); j <= std::min (W - 2, b.right + kBand); ++j) {
      if (i >= b.top - 1 && i <= b.bottom + 1 && j >= b.left - 1 && j <= b.right + 1)
        continue;
      bool all_known = true;
      for (int64_t di = -1; di <= 1 && all_known; ++di)
        for (int64_t dj = -1; dj <= 1; ++dj)
          all_known = all_known && kn[(i + di) * W + j + dj] > 0.f;
      if (!all_known)
        continue;
      auto g = [&] (int64_t di, int64_t dj) { return (double) gray[(i + di) * W + j + dj]; };
      const double gx = g (-1, 1) + 2 * g (0, 1) + g (1, 1) - g (-1, -1) - 2 * g (0, -1) - g (1, -1);
      const double gy = g (1, -1) + 2 * g (1, 0) + g (1, 1) - g (-1, -1) - 2 * g (-1, 0) - g (-1, 1);
      jxx += gx * gx;
      jyy += gy * gy;
      jxy += gx * gy;
    }
  const double trace = jxx + jyy;
  coherence = trace > 0 ? std::sqrt ((jxx - jyy) * (jxx - jyy) + 4 * jxy * jxy) / trace : 0.0;
  // The gradient's orientation; the edge runs at right angles to it.
  const double gradient = 0.5 * std::atan2 (2 * jxy, jxx - jyy) * 180.0 / M_PI;
  const double edge = std::fmod (gradient + 90.0 + 360.0, 180.0);
  direction = (int) std::lround (edge / 45.0) % 4;
}

// (i, j)'s value, averaged with its two neighbours across direction (dy, dx) when both are
// known: a pair or nothing, so that a plane stays exact next to a hole's corner.
float
across_mean (const float *plane, const float *kn, int64_t H, int64_t W, int64_t i, int64_t j, int64_t dy,
    int64_t dx)
{
  const int64_t y0 = i + dx, x0 = j - dy, y1 = i - dx, x1 = j + dy;   // (dx, -dy) is at right angles
  auto known_at = [&] (int64_t y, int64_t x) { return y >= 0 && y < H && x >= 0 && x < W && kn[y * W + x] > 0.f; };
  if (known_at (y0, x0) && known_at (y1, x1))
    return (plane[y0 * W + x0] + plane[i * W + j] + plane[y1 * W + x1]) / 3.f;
  return plane[i * W + j];
}

}  // namespace

torch::Tensor
steered_fill (const torch::Tensor &x, const torch::Tensor &known, const torch::Tensor &axis)
{
  const int64_t B = x.size (0), C = x.size (1), H = x.size (2), W = x.size (3);
  const auto input = x.to (torch::kFloat32).contiguous ();
  auto out = axis.to (torch::kFloat32).contiguous ().clone ();
  auto k = known.to (torch::kFloat32).expand ({B, 1, H, W}).contiguous ();
  auto gray = input.mean (1).contiguous ();
  std::vector<int> label;
  for (int64_t b = 0; b < B; ++b) {
    const float *kn = k.data_ptr<float> () + b * H * W;
    const auto boxes = label_holes (kn, H, W, label);
    std::vector<int> direction (boxes.size ());
    std::vector<double> coherence (boxes.size ());
    for (size_t h = 0; h < boxes.size (); ++h)
      edge_direction (gray.data_ptr<float> () + b * H * W, kn, H, W, boxes[h], direction[h], coherence[h]);
    for (int64_t p = 0; p < H * W; ++p) {
      if (kn[p] > 0.f)
        continue;
      const int h = label[p];
      const int64_t dy = kDirections[direction[h]][0], dx = kDirections[direction[h]][1];
      const int64_t i = p / W, j = p % W;
      // The nearest known pixel each way along the edge, and how many steps away.
      int64_t ends[2][3];   // y, x, steps; steps 0: none
      for (int e = 0; e < 2; ++e) {
        const int64_t sy = e ? -dy : dy, sx = e ? -dx : dx;
        ends[e][2] = 0;
        for (int64_t n = 1;; ++n) {
          const int64_t y = i + n * sy, x_ = j + n * sx;
          if (y < 0 || y >= H || x_ < 0 || x_ >= W)
            break;
          if (kn[y * W + x_] > 0.f) {
            ends[e][0] = y;
            ends[e][1] = x_;
            ends[e][2] = n;
            break;
          }
        }
      }
      if (!ends[0][2] && !ends[1][2])
        continue;   // the axis fill's value stands
      const float c = (float) coherence[h];
      for (int64_t ch = 0; ch < C; ++ch) {
        const float *plane = input.data_ptr<float> () + (b * C + ch) * H * W;
        float along;
        if (ends[0][2] && ends[1][2]) {
          const float a = across_mean (plane, kn, H, W, ends[0][0], ends[0][1], dy, dx);
          const float z = across_mean (plane, kn, H, W, ends[1][0], ends[1][1], dy, dx);
          const float n0 = (float) ends[0][2], n1 = (float) ends[1][2];
          along = (a * n1 + z * n0) / (n0 + n1);
        } else {
          const int e = ends[0][2] ? 0 : 1;
          along = across_mean (plane, kn, H, W, ends[e][0], ends[e][1], dy, dx);
        }
        float &v = out.data_ptr<float> ()[(b * C + ch) * H * W + p];
        v = c * along + (1.f - c) * v;
      }
    }
  }
  return out;
}

}  // namespace pixelrnn
