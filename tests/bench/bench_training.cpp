// Benchmark (not a test): training throughput of each architecture as images/s and as
// FLOP/s, beside dense torch::mm FLOP/s measured in the same run at the same thread count.
//
//   bench-training [steps] [threads...]      default: 8 steps, threads 1 and 2
//
// A step is what `pixelrnn train` does: forward, loss, backward, clipping, Adam. Its FLOPs
// are 3x the forward pass's useful multiply-adds x2 (backward costs about twice the
// forward), counted by the incremental engine, which skips masked-out taps: so the figure is
// work the model needs, not work a dense kernel happened to do on zeros.
#include "api/process_tuning.h"
#include "generation/incremental_engine.h"
#include "training/trainer.h"

#include <algorithm>
#include <chrono>
#include <sys/resource.h>
#include <cstdio>
#include <string>
#include <vector>

using namespace pixelrnn;

namespace {

double
seconds_since (std::chrono::steady_clock::time_point t0)
{
  return std::chrono::duration<double> (std::chrono::steady_clock::now () - t0).count ();
}

double
median (std::vector<double> v)
{
  std::sort (v.begin (), v.end ());
  return v[v.size () / 2];
}

// Dense single-precision matmul at the sizes a 3x3 conv of the natural model becomes
// (im2col: rows = positions, inner = 9 x features), and at 1024^3 for the machine's peak.
double
dense_gflops (int64_t m, int64_t k, int64_t n)
{
  auto a = torch::randn ({m, k}), b = torch::randn ({k, n});
  torch::mm (a, b);
  std::vector<double> s;
  for (int r = 0; r < 7; ++r) {
    auto t0 = std::chrono::steady_clock::now ();
    auto c = torch::mm (a, b);
    s.push_back (seconds_since (t0));
  }
  return 2.0 * m * k * n / median (s) / 1e9;
}

// Minor page faults and system time of this process so far: what the allocator settings
// (process_tuning.h) are there to keep near zero.
struct Usage {
  long minor_faults;
  double system_s;
};

Usage
process_usage ()
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return {usage.ru_minflt, usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6};
}

struct Case {
  const char *name;
  ModelConfig config;
  int batch, patch;
};

ModelConfig
config (Architecture arch, int hidden, int layers, Output output, Block block = Block::Residual)
{
  ModelConfig c;
  c.architecture = arch;
  c.channels = 3;
  c.hidden = hidden;
  c.layers = layers;
  c.head_hidden = 96;
  c.output = output;
  c.mixtures = 5;
  c.block = block;
  return c;
}

}  // namespace

int
main (int argc, char **argv)
{
  keep_freed_memory_for_reuse ();         // as `pixelrnn train` does
  leave_parallelism_to_libtorch ();
  const int steps = argc > 1 ? std::atoi (argv[1]) : 8;
  std::vector<int> thread_counts;
  for (int a = 2; a < argc; ++a)
    thread_counts.push_back (std::atoi (argv[a]));
  if (thread_counts.empty ())
    thread_counts = {1, 2};
  const Case cases[] = {
    {"pixelcnn (natural v3 config)", config (Architecture::PixelCNN, 60, 5, Output::Mixture), 16, 32},
    {"pixelcnn (natural-fast config)", config (Architecture::PixelCNN, 48, 5, Output::Softmax), 16, 32},
    {"pixelcnn two-stream (h=48, 5 layers, mixture)", config (Architecture::PixelCNN, 48, 5, Output::Mixture, Block::TwoStream), 16, 32},
    {"row-lstm (h=60, 3 layers)", config (Architecture::RowLSTM, 60, 3, Output::Mixture), 16, 32},
    {"diagonal-bilstm (h=60, 3 layers)", config (Architecture::DiagonalBiLSTM, 60, 3, Output::Mixture), 16, 32},
  };
  std::printf ("| model | threads | images/s | training GFLOP/s | dense mm GFLOP/s (conv-shaped / 1024^3) | of conv-shaped mm |\n"
               "|---|---|---|---|---|---|\n");
  for (int threads : thread_counts) {
    torch::set_num_threads (threads);
    // torch::mm is OpenBLAS alone: give it the same number of threads for the reference.
    set_openblas_threads (threads);
    const double mm_peak = dense_gflops (1024, 1024, 1024);
    const double mm_conv = dense_gflops (16 * 32 * 32, 9 * 60, 60);
    leave_parallelism_to_libtorch ();
    for (const auto &c : cases) {
      torch::manual_seed (0);
      PixelModel model (c.config);
      double forward_flops;
      {
        IncrementalEngine engine (model);
        engine.logits (torch::randint (0, 256, {1, 3, c.patch, c.patch}, torch::kUInt8));
        forward_flops = engine.last_flops ();
      }
      TrainOptions options;
      Trainer trainer (model, options);
      auto batch = torch::randint (0, 256, {c.batch, 3, c.patch, c.patch}, torch::kUInt8);
      trainer.step (batch);  // warm-up: allocations, Adam state
      std::vector<double> s;
      const auto usage_before = process_usage ();
      for (int k = 0; k < steps; ++k) {
        auto t0 = std::chrono::steady_clock::now ();
        trainer.step (batch);
        s.push_back (seconds_since (t0));
      }
      const double step_s = median (s);
      const auto usage_after = process_usage ();
      const double faults_per_step = (double) (usage_after.minor_faults - usage_before.minor_faults) / steps;
      const double sys_per_step = (usage_after.system_s - usage_before.system_s) / steps;
      const double gflops = 3.0 * forward_flops * c.batch / step_s / 1e9;
      std::printf ("| %s | %d | %.1f | %.2f | %.2f / %.2f | %.0f%% |\n", c.name, threads,
          c.batch / step_s, gflops, mm_conv, mm_peak, 100.0 * gflops / mm_conv);
      std::printf ("@json {\"bench\": \"training-flops\", \"model\": \"%s\", \"threads\": %d, "
          "\"batch\": %d, \"patch\": %d, \"images_per_s\": %.2f, \"gflops\": %.3f, "
          "\"dense_gflops\": %.3f, \"dense_peak_gflops\": %.3f, \"minor_faults_per_step\": %.0f, "
          "\"system_s_per_step\": %.4f, \"step_s\": %.4f}\n", c.name, threads, c.batch,
          c.patch, c.batch / step_s, gflops, mm_conv, mm_peak, faults_per_step, sys_per_step, step_s);
      std::fflush (stdout);
    }
  }
  return 0;
}
