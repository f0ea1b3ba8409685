// Loading a model for a subcommand: by path or shipped name, or die with one line.
#pragma once

#include "api/model_client.h"

#include <memory>

namespace pixelrnn::cli {

std::unique_ptr<ModelClient> load_model_or_die (const char *name_or_path);

// --threads N; 0 (the default) is all cores for every architecture. The recurrent models'
// forward passes used to run slower with a second thread; that was OpenBLAS's thread pool
// beside LibTorch's (process_tuning.h), which main() now keeps to one thread.
void apply_threads (int threads);

}  // namespace pixelrnn::cli
