// DenseStep: one convolution reduced to what a single output position needs, for the
// incremental engine. Only the taps its mask leaves visible are kept, packed as one
// [taps * in, out] matrix so that a position (or a run of positions) costs one small product
// on raw weight pointers instead of a dozen LibTorch ops (~24 us each). The products are
// step_kernels'. The engine computes one colour group's outputs at a time, so each group's
// columns are packed as their own block, padded to whole vectors.
#pragma once

#include "generation/step_kernels.h"

#include <torch/types.h>

#include <cstdint>

#include <utility>
#include <vector>

namespace pixelrnn {

// Feature maps of a window, position-major: at (i, j) the [batch, features] block is contiguous.
struct FeatureMap {
  int height = 0, width = 0, batch = 0, features = 0;
  std::vector<float> data;

  void reset (int h, int w, int b, int f);     // zeros
  // Keeps the contents when the shape is unchanged (zeros otherwise): the engine's fills
  // read only positions written earlier in the same fill, so clearing megabytes of maps
  // per fill would be wasted.
  void resize (int h, int w, int b, int f);
  float *at (int i, int j) { return data.data () + ((size_t) (i * width + j) * batch) * features; }
  const float *at (int i, int j) const
  { return data.data () + ((size_t) (i * width + j) * batch) * features; }
  bool inside (int i, int j) const { return i >= 0 && j >= 0 && i < height && j < width; }
};

struct DenseStep {
  std::vector<std::pair<int, int>> taps;  // (dy, dx) relative to the output position
  int in = 0, out = 0, groups = 1;
  const ProductKernel *kernel = nullptr;
  // Group g owns outputs [first(g), first(g + 1)); its weights are a [taps * in, stride[g]]
  // row-major block at offset[g] of `packed`, the columns past its width zero.
  std::vector<float> packed;
  std::vector<size_t> offset;
  std::vector<int> stride;
  std::vector<int> rows_used;  // per group: its block's rows up to the last non-zero one
  std::vector<float> bias;                // [out]

  int first (int g) const { return out * g / groups; }
  int patch_size () const { return (int) taps.size () * in; }

  // weight: [out, in, kh, kw], already masked; taps kept where any weight may be non-zero
  // (rows above the centre, and the centre row up to the centre). Outputs fall into `groups`
  // equal colour groups; `order[k]` is the original output feature stored at position k
  // (identity when empty).
  static DenseStep from_conv (const torch::Tensor &weight, const torch::Tensor &bias,
      int groups, const std::vector<int> &order = {},
      const ProductKernel &kernel = best_product_kernel ());
  // weight: [out, in, k] over explicit taps, one per kernel index.
  static DenseStep from_taps (const torch::Tensor &weight, const torch::Tensor &bias,
      const std::vector<std::pair<int, int>> &taps, int groups,
      const std::vector<int> &order = {}, const ProductKernel &kernel = best_product_kernel ());
};

// Some of the taps of `step`, repacked in `groups` colour groups, with its bias or none: those
// in rows above the output (Above), those left of it in its own row (Left), or the output's
// own position (Own). Within a pixel only Own reads the pixel itself: the engine computes
// Above for a whole run of hole pixels at once, Left once per pixel for every output
// (groups = 1), and Own per colour group.
enum class TapRows { Above, Left, Own };
DenseStep select_taps (const DenseStep &step, TapRows which, int groups, bool with_bias);

// Positions a product covers: n of them from (i, j), each `skew` columns left of the one
// before on the next row down (a wave of hole pixels that the raster order lets the engine
// compute together), or, with skew 0, n side by side in row i (a run).
struct Positions {
  int i = 0, j = 0, n = 1, skew = 0;

  static Positions run (int i, int a, int b) { return {i, a, b - a, 0}; }
  static Positions wave (int i, int j, int n, int skew) { return {i, j, n, skew}; }
  int row (int k) const { return skew ? i + k : i; }
  int column (int k) const { return skew ? j - k * skew : j + k; }
  // Floats from position k's features to position k+1's in a map of this width and depth.
  size_t apart (const FeatureMap &map) const
  { return (size_t) (skew ? map.width - skew : 1) * map.batch * map.features; }
};

// The engine's products, their inputs read in place from a feature map whose positions hold
// `in` features per batch row (no patch is gathered): one output row per position and batch
// row (position-major), `ld` floats apart. A run's batch rows and positions are evenly spaced
// in the map, so the run is one product whose input rows overlap in memory; so is a wave's
// with one batch row (a wave of several positions needs batch == 1). Taps [t0, t1) of `step`
// (all by default); taps outside the window read zeros, so they are skipped (positions whose
// tap is partly outside are clipped one by one). With one batch row, taps side by side in a
// row of the kernel are one stretch of the map and one product. `relu` reads max(0, x). Each
// returns the multiply-adds done.
//
// apply_taps adds to out; apply_at first sets groups g0..g1-1 of out to the bias (or, with
// `accumulate`, adds the bias to what is there).
double apply_taps (const DenseStep &step, const FeatureMap &map, const Positions &at, bool relu,
    int g0, int g1, float *out, int ld, size_t t0 = 0, size_t t1 = SIZE_MAX);
double apply_at (const DenseStep &step, const FeatureMap &map, const Positions &at, bool relu,
    int g0, int g1, float *out, int ld, bool accumulate, size_t t0 = 0, size_t t1 = SIZE_MAX);
// Positions a..b-1 of row i.
inline double
apply_taps (const DenseStep &step, const FeatureMap &map, int i, int a, int b, bool relu, int g0,
    int g1, float *out, int ld, size_t t0 = 0, size_t t1 = SIZE_MAX)
{
  return apply_taps (step, map, Positions::run (i, a, b), relu, g0, g1, out, ld, t0, t1);
}
inline double
apply_at (const DenseStep &step, const FeatureMap &map, int i, int a, int b, bool relu, int g0,
    int g1, float *out, int ld, bool accumulate, size_t t0 = 0, size_t t1 = SIZE_MAX)
{
  return apply_at (step, map, Positions::run (i, a, b), relu, g0, g1, out, ld, accumulate, t0, t1);
}
// Taps t..t+count-1 of `step` times `rows` rows of count * in floats, ldx apart (0: one row
// read by all), added to out.
double apply_tap_rows (const DenseStep &step, size_t t, int count, const float *x, int ldx,
    int rows, bool relu, int g0, int g1, float *out, int ld);

// For groups g0..g1: out[r, group's outputs] (+)= patch[r, :] * weight (+ bias when
// `add_bias`) for `rows` rows of patch_size() floats; `out` has `ld` floats per row.
// accumulate=false overwrites. Returns the multiply-adds done.
double apply_step (const DenseStep &step, const float *patch, int rows, int g0, int g1,
    float *out, int ld, bool accumulate, bool add_bias = true);

// torch::mm's throughput on n x n matrices in this process, GFLOP/s, the median of `repeats`
// products (this machine's speed wanders): what benchmarks compare the engine's achieved
// rate against, at the thread counts they set.
double dense_matmul_gflops (int n, int repeats);

}  // namespace pixelrnn
