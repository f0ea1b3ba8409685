// Training and evaluation data for the command line: IDX files (MNIST format, .gz too),
// folders of PNG/JPEG images, single images, and video files or URIs decoded by GStreamer.
#pragma once

#include <string>
#include <torch/types.h>
#include <vector>

namespace pixelrnn {

struct DatasetOptions {
  int channels = 0;     // 0: IDX -> 1, images and video -> 3
  int every = 1;        // video: keep every Nth frame
  int max_images = 0;   // per source, 0 = all
  int downscale = 1;    // integer area downscale
  // Images and video: every picture once per factor (random-scale training); empty = {downscale}.
  std::vector<int> downscales;
};

struct Dataset {
  std::vector<torch::Tensor> images;  // uint8 [C, H, W] each
  std::vector<std::string> names;     // where each image came from
  int channels = 0;
  std::string description;

  bool same_size () const;
  // All images as one [N, C, H, W] tensor; throws naming two images of different sizes.
  torch::Tensor stacked () const;
};

// Throws std::runtime_error with one line naming the source and the problem.
Dataset load_dataset (const std::vector<std::string> &sources, const DatasetOptions &options);

// Splits off every k-th image (deterministic) as validation, about `fraction` of them.
void split_validation (Dataset &train, Dataset &validation, double fraction);

// `count` patch x patch crops at fixed pseudo-random places (seeded): a validation set that
// is the same on every run and on resume.
torch::Tensor fixed_patches (const std::vector<torch::Tensor> &images, int64_t count, int64_t patch,
    uint64_t seed);

}  // namespace pixelrnn
