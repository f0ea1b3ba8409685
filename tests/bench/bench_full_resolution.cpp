// Benchmark (not a test): where the time of scoring every pixel of a frame goes, for a model
// file: the network's features, its output head and the NLL of the observed values, at
// 640x480 and 1280x720; median of repeated runs.
//
//   bench-full-resolution MODEL.pixelrnn [threads=2] [repeats=5] [WxH ...]
#include "generation/incremental_engine.h"
#include "io/model_file.h"
#include "network/likelihood.h"
#include "api/process_tuning.h"
#include "scoring/frame_plan_from_model.h"
#include "scoring/frame_scorer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <torch/utils.h>
#include <vector>

using namespace pixelrnn;

static double
median_ms (int repeats, const std::function<void ()> &work)
{
  work ();  // warm-up
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = std::chrono::steady_clock::now ();
    work ();
    ms.push_back (std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - t0).count ());
  }
  std::sort (ms.begin (), ms.end ());
  return ms[ms.size () / 2];
}

int
main (int argc, char **argv)
{
  if (argc < 2) {
    std::fprintf (stderr, "usage: bench-full-resolution MODEL [threads] [repeats]\n");
    return 2;
  }
  const int threads = argc > 2 ? std::atoi (argv[2]) : 2;
  const int repeats = argc > 3 ? std::atoi (argv[3]) : 5;
  keep_freed_memory_for_reuse ();
  leave_parallelism_to_libtorch ();
  torch::set_num_threads (threads);
  omp_set_num_threads (threads);
  auto model = load_model (argv[1]).model;
  model->eval ();
  torch::NoGradGuard no_grad;
  std::printf ("%s: %.0f multiply-adds per pixel in the frame scorer\n\n", argv[1],
      FrameScorer (make_frame_plan (model)).multiply_adds_per_pixel ());
  std::printf ("| frame | features ms | head ms | nll ms | whole nll_map ms | frames/s | engine rows ms | frame scorer ms | frames/s |\n|---|---|---|---|---|---|---|---|---|\n");
  IncrementalEngine engine (model);
  std::vector<std::pair<int, int>> sizes;
  for (int a = 4; a < argc; ++a) {
    int w = 0, h = 0;
    if (std::sscanf (argv[a], "%dx%d", &w, &h) == 2 && w > 0 && h > 0)
      sizes.push_back ({w, h});
  }
  if (sizes.empty ())
    sizes = {{640, 480}, {1280, 720}};
  for (auto [w, h] : sizes) {
    auto x = torch::randint (0, 256, {1, model->config.channels, h, w}, torch::kUInt8);
    torch::Tensor f, p;
    const double tf = median_ms (repeats, [&] { f = model->features (scale_input (x)); });
    const double th = median_ms (repeats, [&] { p = model->head (f); });
    const double tn = median_ms (repeats, [&] { model->nll (p, x); });
    const double tw = median_ms (repeats, [&] { nll_map (model, x); });
    const double te = median_ms (repeats, [&] { engine.log_likelihoods (x); });
    FrameScorer scorer (make_frame_plan (model));
    std::vector<float> nll;
    const auto packed = x[0].permute ({1, 2, 0}).contiguous ();
    const double ts = median_ms (repeats, [&] { scorer.score (packed.data_ptr<uint8_t> (), w, h, nll, false); });
    std::printf ("| %dx%d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", w, h, tf, th, tn, tw, 1000.0 / tw, te, ts, 1000.0 / ts);
  }
  return 0;
}
