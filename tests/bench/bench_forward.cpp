// Benchmark (not a test): parameter count and forward time of a 32x32x3 image for each
// architecture at the paper's CIFAR sizes; median of repeated runs.
#include "network/pixel_model.h"
#include "api/process_tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <torch/utils.h>
#include <vector>

using namespace pixelrnn;

int
main (int argc, char **argv)
{
  int threads = argc > 1 ? std::atoi (argv[1]) : 2;
  keep_freed_memory_for_reuse ();    // as the CLI does: time arithmetic, not page faults,
  leave_parallelism_to_libtorch ();  // and LibTorch's threads, not OpenBLAS's beside them
  torch::set_num_threads (threads);
  struct Case { Architecture arch; int hidden, layers; };
  const Case cases[] = {{Architecture::PixelCNN, 126, 15}, {Architecture::RowLSTM, 126, 12},
                        {Architecture::DiagonalBiLSTM, 126, 12}};  // 128 rounded to a multiple of 3
  std::printf ("| architecture | h | layers | parameters | forward 1x3x32x32 (ms, median of 5, %d threads) |\n|---|---|---|---|---|\n", threads);
  for (const auto &c : cases) {
    ModelConfig cfg;
    cfg.architecture = c.arch;
    cfg.channels = 3;
    cfg.hidden = c.hidden;
    cfg.layers = c.layers;
    cfg.head_hidden = 1023;  // the paper's 1024, rounded to a multiple of 3 for the R, G, B split
    PixelModel model (cfg);
    model->eval ();
    torch::NoGradGuard no_grad;
    auto x = torch::randint (0, 256, {1, 3, 32, 32}, torch::kUInt8);
    model->forward (x);  // warm-up
    std::vector<double> ms;
    for (int r = 0; r < 5; ++r) {
      auto t0 = std::chrono::steady_clock::now ();
      model->forward (x);
      ms.push_back (std::chrono::duration<double, std::milli> (std::chrono::steady_clock::now () - t0).count ());
    }
    std::sort (ms.begin (), ms.end ());
    std::printf ("| %s | %d | %d | %lld | %.1f |\n", architecture_name (c.arch), c.hidden, c.layers,
        (long long) model->parameter_count (), ms[2]);
    // One machine-readable line per figure, collected by scripts/bench.
    std::printf ("@json {\"bench\": \"forward\", \"architecture\": \"%s\", \"threads\": %d, "
        "\"parameters\": %lld, \"ms\": %.2f}\n", architecture_name (c.arch), threads,
        (long long) model->parameter_count (), ms[2]);
  }
  return 0;
}
