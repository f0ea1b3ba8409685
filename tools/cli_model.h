// Loading a model for a subcommand: by path or shipped name, or die with one line.
#pragma once

#include "io/model_file.h"

namespace pixelrnn::cli {

LoadedModel load_model_or_die (const char *name_or_path);

// --threads N, or when 0 the measured default: all cores for PixelCNN, one for Row LSTM and
// Diagonal BiLSTM, whose hundreds of small per-row ops run slower with a second thread.
void apply_threads (int threads, const ModelConfig &config);

}  // namespace pixelrnn::cli
