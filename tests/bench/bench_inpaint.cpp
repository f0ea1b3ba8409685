// Inpainting benchmark: ms per frame to fill a 16x16 and a 32x32 hole in a 640x480 RGB frame
// for each architecture and mode, the incremental engine's speedup over the naive sampler,
// and its FLOP/s against a dense matmul through the same BLAS in the same run, on one thread
// like the engine.
//
// Then the element's own path (inpaint_window, the windows of api/hole_windows) with the model
// pixelrnninpaint uses by default, or $PIXELRNN_BENCH_FILL_MODEL, for 16, 32 and 64 px holes
// in every mode: what a pipeline pays per frame.
//
//   bench-inpaint [repeats=5] [naive=1]   prints a Markdown table and one JSON line per row
//   PIXELRNN_BENCH_FILL_ONLY=1 bench-inpaint ...   only the element-path table
//   PIXELRNN_BENCH_ENGINE_ONLY=1 bench-inpaint ... only the engine's rows, best-of's left out
#include "generation/dense_step.h"
#include "generation/generation.h"
#include "inpainting/window_fill.h"
#include "api/hole_windows.h"
#include "generation/incremental_engine.h"
#include "io/model_file.h"
#include "api/process_tuning.h"
#include "generation/naive_sampler.h"

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace pixelrnn;

namespace {

double
median_ms (int repeats, const std::function<void ()> &f)
{
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now ();
    f ();
    t.push_back (std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - start).count ());
  }
  std::sort (t.begin (), t.end ());
  return t[t.size () / 2];
}

// LibTorch and OpenBLAS (which keeps a pool of its own) on one thread while in scope.
struct OneThread {
  const int threads = torch::get_num_threads ();
  OneThread () { torch::set_num_threads (1); set_openblas_threads (1); }
  ~OneThread () { torch::set_num_threads (threads); set_openblas_threads (threads); }
};

// torch::mm on one thread.
double
dense_on_one_thread ()
{
  OneThread one;
  return dense_matmul_gflops (512, 21);
}

// A fill and the dense reference in turns: this machine's speed wanders by up to 1.5x from
// one minute to the next, so each repeat times a 512^3 torch::mm right before the fill, and
// the engine's share of dense is the median of the per-repeat ratios (a slow minute slows
// both). After one untimed fill (the engine sizes its maps).
struct Paired {
  double ms, dense_gflops, share;
};

Paired
paired_with_dense (int repeats, const std::function<void ()> &fill,
    const std::function<double ()> &flops)
{
  OneThread one;
  const int n = 512;
  auto a = torch::rand ({n, n}), b = torch::rand ({n, n}), c = torch::mm (a, b);
  fill ();
  std::vector<double> ms, dense, share;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now ();
    torch::mm_out (c, a, b);
    auto middle = std::chrono::steady_clock::now ();
    fill ();
    auto end = std::chrono::steady_clock::now ();
    dense.push_back (2.0 * n * n * n / std::chrono::duration<double> (middle - start).count () / 1e9);
    ms.push_back (std::chrono::duration<double, std::milli> (end - middle).count ());
    share.push_back (flops () / ms.back () / 1e6 / dense.back ());
  }
  const auto median = [] (std::vector<double> v) {
    std::sort (v.begin (), v.end ());
    return v[v.size () / 2];
  };
  return {median (ms), median (dense), median (share)};
}

struct Case {
  std::string name;
  PixelModel model;
};

}  // namespace

int
main (int argc, char **argv)
{
  const int repeats = argc > 1 ? std::atoi (argv[1]) : 5;
  const bool naive = argc > 2 ? std::atoi (argv[2]) != 0 : true;
  torch::NoGradGuard no_grad;
  // The engine runs on the calling thread alone: its reference is torch::mm on one thread.
  std::printf ("engine kernel: %s (one thread); reference: torch::mm 512^3 on one thread, "
      "timed right before each greedy and sampled fill (the share is the median of the "
      "per-fill ratios), and for best-of the median of 21 before each model; torch threads "
      "%d\n\n", best_product_kernel ().name, torch::get_num_threads ());

  std::vector<Case> cases;
  cases.push_back ({"natural (PixelCNN, shipped)", load_model (resolve_model ("natural")).model});
  cases.push_back ({"natural-fast (PixelCNN, element default)",
      load_model (resolve_model ("natural-fast")).model});
  for (auto arch : {Architecture::RowLSTM, Architecture::DiagonalBiLSTM}) {
    ModelConfig c;
    c.architecture = arch;
    c.channels = 3;
    c.hidden = 48;
    c.layers = 5;
    c.head_hidden = 96;
    torch::manual_seed (1);
    cases.push_back ({std::string (architecture_name (arch)) + " (same sizes, untrained)", PixelModel (c)});
  }
  // A 640x480 frame of smooth structure; only the window around the hole matters.
  auto frame = (torch::arange (640 * 480 * 3) % 251).to (torch::kUInt8).view ({1, 3, 480, 640});
  const int context = 16;
  std::printf ("| model | hole | mode | ms/frame | fps | GFLOP/s | %% of dense |\n|---|---|---|---|---|---|---|\n");
  // PIXELRNN_BENCH_FILL_ONLY=1: only the element-path table below.
  if (std::getenv ("PIXELRNN_BENCH_FILL_ONLY"))
    cases.clear ();
  const bool engine_only = std::getenv ("PIXELRNN_BENCH_ENGINE_ONLY") != nullptr;
  for (auto &c : cases) {
    c.model->eval ();
    IncrementalEngine engine (c.model);
    const double dense = dense_on_one_thread ();
    for (int hole : {16, 32}) {
      const int x0 = 300, y0 = 200;
      const int wx0 = x0 - context, wy0 = y0 - context;
      const int ww = hole + 2 * context, wh_fill = hole + context, wh_best = hole + 2 * context;
      // "8 candidates": the engine's part of best-of-8 alone, the 8 drawn as one batch.
      for (const char *mode : {"greedy", "sample", "8 candidates", "best-of-8"}) {
        const bool best = std::string (mode) == "best-of-8";
        if (best && engine_only)
          continue;
        const int batch = std::string (mode) == "8 candidates" ? 8 : 1;
        const int wh = best || batch > 1 ? wh_best : wh_fill;
        auto window = frame[0].narrow (1, wy0, wh).narrow (2, wx0, ww).contiguous ();
        auto mask = torch::zeros ({wh, ww}, torch::kBool);
        mask.narrow (0, context, hole).narrow (1, context, hole).fill_ (true);
        SamplingOptions opts{std::string (mode) == "greedy" ? 0.0 : 1.0, 3};
        double flops = 0, ms = 0, share = 0, reference = dense, rescoring = 0;
        if (best) {
          ms = median_ms (repeats, [&] { best_of_fill (c.model, engine, window, mask, 8, opts); });
          // Best-of draws the 8 candidates (in more than one batch where their maps would
          // pass 256 MB), then ranks them by the engine's teacher-forced pass over the window
          // (log_likelihoods): both count.
          auto many = window.unsqueeze (0).expand ({8, -1, -1, -1}).contiguous ();
          engine.log_likelihoods (many);
          rescoring = engine.last_flops ();
          engine.fill (many, mask, opts);
          flops = engine.last_flops () + rescoring;
        } else {
          auto many = window.unsqueeze (0).expand ({batch, -1, -1, -1}).contiguous ();
          // Fills are short: three times the repeats, so that a burst of the machine's
          // noise moves the median less.
          const auto p = paired_with_dense (3 * repeats, [&] { engine.fill (many, mask, opts); },
              [&] { return engine.last_flops (); });
          flops = engine.last_flops ();
          ms = p.ms;
          share = p.share;
          reference = p.dense_gflops;
        }
        const double gflops = flops / ms / 1e6;
        if (best)
          share = gflops / dense;
        std::printf ("| %s | %dx%d | %s | %.1f | %.1f | %.2f | %.0f%% |\n", c.name.c_str (), hole,
            hole, mode, ms, 1000.0 / ms, gflops, 100.0 * share);
        std::printf ("@json {\"bench\": \"inpaint\", \"model\": \"%s\", \"hole\": %d, "
            "\"mode\": \"%s\", \"ms\": %.2f, \"gflops\": %.3f, \"dense_gflops\": %.2f, "
            "\"share\": %.4f, \"dense_threads\": 1, \"kernel\": \"%s\", "
            "\"rescoring_gflop\": %.4f}\n", c.name.c_str (), hole, mode, ms, gflops, reference,
            share, best_product_kernel ().name, rescoring / 1e9);
        std::fflush (stdout);
      }
    }
  }
  if (!engine_only) {
    const char *name = std::getenv ("PIXELRNN_BENCH_FILL_MODEL");
    auto m = load_model (resolve_model (name ? name : "natural-fast")).model;
    m->eval ();
    IncrementalEngine engine (m);
    std::printf ("\nelement path, %s (%s), 640x480 frame, context %d\n\n| hole | mode | ms/frame | fps |\n|---|---|---|---|\n",
        name ? name : "natural-fast", m->config.summary ().c_str (), context);
    for (int hole : {16, 32, 64})
      for (FillMode mode : {FillMode::Greedy, FillMode::Mean, FillMode::Direct, FillMode::BestOf}) {
        if ((mode == FillMode::Direct && !m->config.has_conditioner ()) || (mode == FillMode::BestOf && hole > 32))
          continue;
        FillSettings s;
        s.mode = mode;
        s.seed = 3;
        const Rect box{300, 200, hole, hole};
        const Rect win = fill_window (box, 640, 480, context,
            fill_rows_below (mode, m->config.has_conditioner (), context));
        auto window = frame.narrow (2, win.y, win.h).narrow (3, win.x, win.w).contiguous ();
        auto mask = torch::zeros ({win.h, win.w}, torch::kBool);
        mask.narrow (0, box.y - win.y, hole).narrow (1, box.x - win.x, hole).fill_ (true);
        const double ms = median_ms (repeats, [&] { inpaint_window (m, engine, window, mask, s); });
        std::printf ("| %dx%d | %s | %.1f | %.1f |\n", hole, hole, fill_mode_name (mode), ms, 1000.0 / ms);
        std::printf ("@json {\"bench\": \"inpaint-element-path\", \"model\": \"%s\", \"hole\": %d, "
            "\"mode\": \"%s\", \"ms\": %.2f}\n", name ? name : "natural-fast", hole, fill_mode_name (mode), ms);
        std::fflush (stdout);
      }
  }
  if (naive && !cases.empty ()) {
    // The naive sampler on the same 32x32 window, natural model: one full forward per value.
    auto &m = cases[0].model;
    const int hole = 32, ww = hole + 2 * context, wh = hole + context;
    auto window = frame.narrow (2, 200 - context, wh).narrow (3, 300 - context, ww).contiguous ();
    auto mask = torch::zeros ({wh, ww}, torch::kBool);
    mask.narrow (0, context, hole).narrow (1, context, hole).fill_ (true);
    IncrementalEngine engine (m);
    const double fast = median_ms (repeats, [&] { engine.fill (window, mask, {1.0, 3}); });
    const double slow = median_ms (1, [&] { fill_naive (m, window, mask, {1.0, 3}); });
    std::printf ("\nnaive vs incremental, natural, 32x32 hole: %.0f ms vs %.1f ms = %.0fx\n", slow,
        fast, slow / fast);
    std::printf ("@json {\"bench\": \"speedup\", \"model\": \"natural\", \"hole\": 32, "
        "\"naive_ms\": %.1f, \"incremental_ms\": %.2f, \"speedup\": %.1f}\n", slow, fast, slow / fast);
  }
  return 0;
}
