// Loading a model for a subcommand: by path or shipped name, or die with one line.
#pragma once

#include "model_file.h"

namespace pixelrnn::cli {

LoadedModel load_model_or_die (const char *name_or_path);

}  // namespace pixelrnn::cli
