// DenseStep: one convolution reduced to what a single output position needs, for the
// incremental engine. Only the taps its mask leaves visible are kept, packed as one
// [taps * in, out] matrix so that a position costs one small matrix-vector product on raw
// weight pointers instead of a dozen LibTorch ops (~24 us each). The products are
// step_kernels'. The engine computes one colour group's outputs at a time, so each group's
// columns are packed as their own block, padded to whole vectors.
#pragma once

#include "generation/step_kernels.h"

#include <torch/types.h>

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

// Gathers the taps of `step` around (i, j) from `map` into `patch` ([batch, taps * in]);
// taps outside the window read zeros. `relu` applies max(0, x) on the way in.
void gather_patch (const DenseStep &step, const FeatureMap &map, int i, int j, bool relu,
    float *patch);
// The same for tap t alone (its `in` columns of every batch row).
void gather_tap (const DenseStep &step, const FeatureMap &map, size_t t, int i, int j, bool relu,
    float *patch);
void gather_patch (const DenseStep &step, const FeatureMap &map, int i, int j, bool relu,
    std::vector<float> &patch);

// For groups g0..g1-1: out[r, group's outputs] (+)= patch[r, :] * weight (+ bias when
// `add_bias`) for `rows` rows of patch_size() floats; `out` has `ld` floats per row.
// accumulate=false overwrites.
void apply_step (const DenseStep &step, const float *patch, int rows, int g0, int g1,
    float *out, int ld, bool accumulate, bool add_bias = true);

// torch::mm's throughput on n x n matrices in this process, GFLOP/s, the median of `repeats`
// products (this machine's speed wanders): what benchmarks compare the engine's achieved
// rate against, at the thread counts they set.
double dense_matmul_gflops (int n, int repeats);

}  // namespace pixelrnn
