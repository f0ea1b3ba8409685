/* ModelClient: the front door to a trained model for the elements and the command line:
 * load, describe, score, fill, sample. No LibTorch in this header (LibTorch headers are
 * heavy; element and command files stay GStreamer-only). Pixels cross this boundary as
 * packed 8-bit arrays in the model's channel order: R, G, B or gray, row-major. */
#pragma once

#include "api/fill_settings.h"
#include "api/image.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pixelrnn {

class ModelClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};


struct ScoreResult {
  double bits_per_dim = 0.0;   // mean over the scored pixels and channels
  std::vector<float> nll;      // per pixel, bits summed over channels, row-major (width x height)
};

/* What a model file says about itself (pixelrnn info). */
struct ModelDescription {
  std::string path, architecture, summary, config_json;
  int64_t parameters = 0;
  /* Provenance: what trained it. */
  std::string data, date, command;
  int64_t steps = 0;
  double validation_bits_per_dim = -1;   /* < 0: not measured */
  double validation_fill_rmse = -1;      /* conditioner training: its mean's RMS error, levels */
  double train_seconds = 0;
};

class ModelClient {
 public:
  ModelClient ();
  ~ModelClient ();

  // Loads a model by path or shipped name; throws ModelClientError naming the file and why.
  void load (const std::string &name_or_path);
  bool loaded () const;
  int channels () const;
  const std::string &path () const;    // the file actually read
  std::string summary () const;        // architecture and size, for logs
  // Rough seconds for the model to score or draw `values` sub-pixels on one core: about
  // 2 x parameters multiply-adds each at ~5 GFLOP/s (for refusing sizes up front).
  double estimated_seconds (double values) const;
  bool has_conditioner () const;       // can fill reading every side of a hole (mode direct)
  // Whether width x height frames are scored whole at video rate: the frame scorer
  // (scoring/frame_scorer.h) runs the model, at most kVideoRateMultiplyAdds a frame (about
  // 25 frames/s at 640x480 for natural-full on 2 cores; docs/benchmarks.md).
  bool scores_every_pixel (int width, int height) const;
  static constexpr double kVideoRateMultiplyAdds = 1e9;

  // Bits/dim and per-pixel NLL of a packed image. With tile > 0 the image is cut into
  // tile x tile pieces (edges included, shorter) scored independently as one batch. Whole
  // images go through the frame scorer where scores_frames(): rows whose receptive rows are
  // byte for byte those of the last call keep their NLL (exact, not an approximation).
  ScoreResult score (const uint8_t *pixels, int width, int height, int tile = 0);

  // Fills `window` (packed, width x height) where `mask` is non-zero, in place. Best-of
  // draws `candidates` fills as one batch and keeps the one under which the whole window
  // (the hole and every known pixel after it) is most likely; `scores` (optional) receives
  // each candidate's log-likelihood in nats and `chosen` the index kept.
  void fill (uint8_t *window, const uint8_t *mask, int width, int height,
      const FillSettings &settings, std::vector<double> *scores = nullptr, int *chosen = nullptr);

  // `count` images sampled unconditionally, packed one after another.
  std::vector<uint8_t> generate (int width, int height, int count, double temperature,
      uint64_t seed);

  // The command line's whole-image operations.
  ModelDescription describe () const;
  // Every weight in the model's own order: its name, values and count.
  void for_each_weight (
      const std::function<void (const std::string &name, const float *values, size_t count)> &visit) const;
  // Bits/dim of each image, all of one size and of the model's channels, as one batch.
  std::vector<double> bits_per_dim (const std::vector<Image> &images);
  // `image` with the pixels where `mask` (width x height) is non-zero filled: the holes
  // grouped into windows of `context` pixels as the inpainting element groups them.
  Image inpaint (const Image &image, const std::vector<uint8_t> &mask, int context,
      const FillSettings &settings);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Rewrites a model file of an older format (1 or 2, whose LibTorch archives only this
// reads: convert files you trust) in the current one; returns the model's summary. Throws
// ModelClientError.
std::string convert_model_file (const std::string &from, const std::string &to);
// The format version files are written in.
unsigned model_file_format ();

// The path of a model given by path or shipped name (see io/model_file.h's resolve_model);
// throws ModelClientError listing where it looked.
std::string resolve_model_path (const std::string &name_or_path);

// Compute threads of the whole process (LibTorch's intra-op pool); 0 leaves the default
// (every core).
void set_process_compute_threads (int threads);

// Compute threads for parallel regions this thread starts from now on (OpenMP keeps the
// count per thread), so that each element's streaming thread can have its own; 0 = the
// machine's cores. Cheap when unchanged.
void set_thread_compute_threads (int threads);

}  // namespace pixelrnn
