// Training and evaluation data for the command line: IDX files (MNIST format, .gz too),
// folders of PNG/JPEG images, single images, and video files or URIs decoded by GStreamer.
#pragma once

#include "api/training_run.h"

#include <string>
#include <vector>

namespace pixelrnn {

struct DatasetOptions {
  int channels = 0;     // 0: IDX -> 1, images and video -> 3
  int every = 1;        // video: keep every Nth frame
  int max_images = 0;   // per source, 0 = all
  int downscale = 1;    // integer area downscale
  // Images and video: every picture once per factor (random-scale training); empty = {downscale}.
  std::vector<int> downscales;
  // With several downscales: a copy with a side below this (the training patch) is left out
  // at that factor only, and counted in the description; a picture too small at every factor
  // is kept at one of them, so that training names it. 0 = keep every copy.
  int min_side = 0;
};

// Images with their names and a description (api/training_run.h).
using Dataset = TrainingImages;

// Throws std::runtime_error with one line naming the source and the problem.
Dataset load_dataset (const std::vector<std::string> &sources, const DatasetOptions &options);

// Splits off every k-th image (deterministic) as validation, about `fraction` of them.
void split_validation (Dataset &train, Dataset &validation, double fraction);

}  // namespace pixelrnn
