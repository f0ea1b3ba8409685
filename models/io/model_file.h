// The model file: one file holding everything needed to use a trained model.
//
//   offset 0   8 bytes   magic "PIXELRNN"
//          8   u32 LE    format version (kFormatVersion)
//         12   u64 LE    header length N
//         20   N bytes   header, JSON: {"config": {...}, "provenance": {...}}
//              u64 LE    weights length M
//              M bytes   weights: float32 little-endian arrays, one after another, in the
//                        order, names and shapes of the header's "tensors" table
//              u32 LE    CRC-32 (zlib) of everything from offset 12 up to here
//
// Formats 1 and 2 held the weights as a LibTorch (pickle) archive; a pickle parser cannot be
// made safe against crafted bytes, so those files are read only by `pixelrnn convert`.
//
// Loading checks each of these and throws ModelFileError naming the file and the problem.
// Saving writes a temporary file in the same folder and renames it, so a reader never sees
// a half-written model.
#pragma once

#include "api/files.h"
#include "network/model_config.h"
#include "network/pixel_model.h"

#include <stdexcept>
#include <string>

namespace pixelrnn {

// 1: softmax models in a LibTorch archive; 2: adds the logistic-mixture output; 3: raw
// float32 tensors (any output).
constexpr uint32_t kFormatVersion = 3;
constexpr uint64_t kMaxModelFileBytes = uint64_t{2} << 30;

struct Provenance {
  std::string data;                  // what it was trained on
  int64_t steps = 0;                 // optimizer steps taken
  double validation_bits_per_dim = -1;  // < 0: not measured
  // Conditioner training: the RMS error, 8-bit levels, of the conditioner's mean (what the
  // `direct` fill writes) on the validation holes; what --keep-best keeps. < 0: not measured.
  double validation_fill_rmse = -1;
  std::string date;                  // ISO 8601, UTC
  std::string command;               // the command line that trained it
  double train_seconds = 0;
};

class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedModel {
  std::string path;  // the file it was read from
  ModelConfig config;
  Provenance provenance;
  PixelModel model{nullptr};
};

// Whether load_model may parse the LibTorch archives of formats 1 and 2.
enum class LegacyArchive { Refuse, Allow };

// Opens only regular files up to kMaxModelFileBytes; validates the config's bounds, the
// tensor table against the data, every weight against the config (none missing, none left
// over), finiteness, and a probe forward pass. Throws ModelFileError naming the file.
LoadedModel load_model (const std::string &path, LegacyArchive legacy = LegacyArchive::Refuse);
void save_model (const std::string &path, PixelModel &model, const Provenance &provenance);

// A model given by path, or by the short name of a shipped model ("fashion-mnist",
// "natural"), looked up in $PIXELRNN_MODEL_PATH, then share/gst-pixelrnn/models above the
// installed binary or plugin, then the build tree, then the configured install data folder.
// Returns the path, or throws ModelFileError listing where it looked.
std::string resolve_model (const std::string &name_or_path);

std::string iso8601_now ();

}  // namespace pixelrnn
