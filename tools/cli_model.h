// Loading a model for a subcommand: by path or shipped name, or die with one line.
#pragma once

#include "api/model_client.h"

#include <memory>
#include <string>

namespace pixelrnn::cli {

std::unique_ptr<ModelClient> load_model_or_die (const char *name_or_path);

// --threads N; 0 (the default) is all cores for every architecture. The recurrent models'
// forward passes used to run slower with a second thread; that was OpenBLAS's thread pool
// beside LibTorch's (process_tuning.h), which main() now keeps to one thread.
void apply_threads (int threads);

// Dies before any work when `pixels` values-by-value steps (times the model's channels)
// exceed `max_pixels` (0 = no limit): the message gives the estimate and the option that
// raises the limit, instead of a command that runs for hours.
void refuse_above_max_pixels (const ModelClient &model, const std::string &what, double pixels,
    long long max_pixels);

}  // namespace pixelrnn::cli
