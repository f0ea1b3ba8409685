// Loading a model for a subcommand: by path or shipped name, or die with one line.
#pragma once

#include "io/model_file.h"

namespace pixelrnn::cli {

LoadedModel load_model_or_die (const char *name_or_path);

// --threads N, or when 0 the measured default: all cores for PixelCNN, one for Row LSTM and
// Diagonal BiLSTM, whose hundreds of small per-row ops run slower with a second thread.
// threads > 0: that many. 0: all cores, except one for a recurrent model's forward passes
// (their per-row ops on one image run 1.8-2.4x slower with two threads); training steps on
// a batch run faster with two for every architecture (bench-training: Row LSTM 12.3 -> 18.0,
// Diagonal BiLSTM 2.6 -> 4.2 images/s), so `batched_training` keeps all cores.
void apply_threads (int threads, const ModelConfig &config, bool batched_training = false);

}  // namespace pixelrnn::cli
