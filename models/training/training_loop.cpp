// The loop every training run goes through, on images or on a stream: steps with their
// time and processor time, the stop conditions (step count, time budgets, a stop request, the
// end of a stream), validation and --keep-best, progress lines, checkpoints, a stream's
// periodic writes, and the closing write.
#include "training/training_run_impl.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace pixelrnn {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

// Processor time of the whole process, all threads: training's compute on a busy machine.
double
process_cpu_seconds ()
{
  timespec t{};
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

}  // namespace

void
TrainingRun::request_stop ()
{
  stop_requested = 1;
}

int
TrainingRun::Impl::loop (const BatchSource &next_batch, const std::string &data)
{
  const int world = o.distributed.world_size;
  // A run on a stream reports through its callback instead, and is stopped by closing it.
  const bool printing = writer && !streaming;
  const bool tty = printing && isatty (STDERR_FILENO);
  using clock = std::chrono::steady_clock;
  auto window_start = clock::now ();
  auto last_tick = window_start;
  double last_cpu = process_cpu_seconds ();
  int64_t window_images = 0;
  double ema = -1, val_bpd = -1;
  const int64_t first_step = trainer->steps ();
  bool out_of_time = false;
  // What --keep-best keeps: validation bits/dim, or for a conditioner the RMS error of its
  // mean on the validation holes, i.e. what the `direct` fill writes (its NLL fell while its
  // fills got worse: conditioner v3, docs/models.md).
  const bool by_fill = o.conditioner > 0;
  auto figure = [&] (double bpd) { return by_fill ? trainer->evaluation_rmse : bpd; };
  const char *figure_name = by_fill ? "conditioner mean's RMS error (levels)" : "validation bits/dim";
  double best_bpd = std::numeric_limits<double>::infinity ();
  int64_t best_step = -1;
  struct stat st;
  if (o.keep_best && o.resume && writer && stat (o.out.c_str (), &st) == 0) {
    try {
      const auto previous = load_model (o.out);
      best_bpd = by_fill ? previous.provenance.validation_fill_rmse : previous.provenance.validation_bits_per_dim;
      if (best_bpd < 0)   // a file from before the figure was kept: any new one is better
        best_bpd = std::numeric_limits<double>::infinity ();
      best_step = previous.provenance.steps;
    } catch (const std::exception &e) {
      throw TrainingError (std::string ("--keep-best: ") + e.what ());
    }
  }
  while (trainer->steps () < o.steps) {
    double loss = 0;
    try {
      out_of_time = (o.minutes > 0 && trainer->elapsed_seconds >= o.minutes * 60) ||
          (o.cpu_minutes > 0 && trainer->cpu_seconds >= o.cpu_minutes * 60);
      if (group) {
        // A stop on any rank stops every rank after the same step; so does rank 0's clock.
        auto flag = torch::full ({1}, (stop_requested ? 1.f : 0.f) + (out_of_time && writer ? 2.f : 0.f));
        group->all_reduce_sum (flag);
        const int f = (int) flag.item<float> ();
        out_of_time = f >= 2;
        if (f % 2 == 1)
          stop_requested = 1;
        if (f > 0)
          break;
      } else if ((stop_requested && !streaming) || out_of_time) {
        break;
      }
      bool waited = false;
      const auto batch_images = next_batch (waited);
      if (!batch_images.defined ())
        break;
      if (waited) {   // waiting for frames is not training
        last_tick = clock::now ();
        last_cpu = process_cpu_seconds ();
      }
      loss = trainer->step (batch_images);
    } catch (const std::exception &e) {
      throw TrainingError (std::string ("training stopped at step ") + std::to_string (trainer->steps () + 1) +
          ": " + e.what ());
    }
    auto now = clock::now ();
    trainer->elapsed_seconds += std::chrono::duration<double> (now - last_tick).count ();
    last_tick = now;
    const double cpu_now = process_cpu_seconds ();
    trainer->cpu_seconds += cpu_now - last_cpu;
    last_cpu = cpu_now;
    ema = ema < 0 ? loss : 0.98 * ema + 0.02 * loss;
    last_loss = loss;
    stream_loss_sum += loss;
    ++stream_loss_count;
    window_images += (int64_t) o.batch * world;
    const int64_t s = trainer->steps ();
    double secs = std::chrono::duration<double> (now - window_start).count ();
    double ips = window_images / std::max (secs, 1e-9);
    if (streaming && s - written_step >= stream.write_every)
      write_stream_model ();
    if (writer && val_tensor.defined () && (s % o.val_every == 0 || s == o.steps)) {
      val_bpd = trainer->evaluate (val_tensor);
      if (o.conditioner > 0)
        std::printf ("step %lld: held-out holes: %.4f bits per value, conditioner mean off by %.2f levels (RMS)\n",
            (long long) s, val_bpd, trainer->evaluation_rmse);
      if (o.keep_best && figure (val_bpd) < best_bpd) {
        best_bpd = figure (val_bpd);
        best_step = s;
        write_model (data, val_bpd);
        std::printf ("step %lld: best validation so far, wrote %s\n", (long long) s, o.out.c_str ());
      }
      last_tick = clock::now ();
      last_cpu = process_cpu_seconds ();
    }
    if (printing && (tty || s % o.log_every == 0 || s == o.steps || s % o.val_every == 0)) {
      char line[256];
      double eta = (o.steps - s) * (double) o.batch * world / std::max (ips, 1e-9);
      std::snprintf (line, sizeof line, "step %lld/%lld  loss %.3f bits/dim  val %s  %.1f img/s  ETA %s  trained %.0f s, cpu %.0f s",
          (long long) s, (long long) o.steps, ema,
          val_bpd < 0 ? "-" : (std::to_string (val_bpd).substr (0, 5) + " bits/dim").c_str (), ips,
          format_duration (eta).c_str (), trainer->elapsed_seconds, trainer->cpu_seconds);
      if (tty)
        std::fprintf (stderr, "\r%-100s", line);
      else
        std::printf ("%s\n", line);
      std::fflush (stdout);
    }
    if (printing && s % o.checkpoint_every == 0 && s < o.steps)
      trainer->save_checkpoint (ckpt_path);
    if (secs > 30) {  // a sliding window keeps img/s and ETA current
      window_start = now;
      window_images = 0;
    }
  }
  if (tty)
    std::fprintf (stderr, "\n");
  if (streaming)
    return 0;
  if (out_of_time && !stop_requested && writer)
    std::printf ("time budget reached at step %lld (%.1f minutes, %.1f processor minutes)\n",
        (long long) trainer->steps (), trainer->elapsed_seconds / 60, trainer->cpu_seconds / 60);
  if (stop_requested && !writer) {
    std::printf ("rank %d: stopped at step %lld with the others\n", o.distributed.rank, (long long) trainer->steps ());
    return 130;
  }
  if (stop_requested) {
    trainer->save_checkpoint (ckpt_path);
    std::printf ("interrupted at step %lld; checkpoint written to %s; run the same command with --resume to continue\n",
        (long long) trainer->steps (), ckpt_path.c_str ());
    return 130;
  }
  if (!writer) {
    std::printf ("rank %d: finished %lld steps; rank 0 writes the model\n", o.distributed.rank, (long long) trainer->steps ());
    return 0;
  }
  if (val_bpd < 0 || trainer->steps () == first_step)
    val_bpd = trainer->evaluate (val_tensor);
  trainer->save_checkpoint (ckpt_path);
  if (o.keep_best && !(figure (val_bpd) < best_bpd)) {   // a NaN validation is never better
    std::printf ("kept %s from step %lld (%s %.4f; the last step's %.4f is no better)\n",
        o.out.c_str (), (long long) best_step, figure_name, best_bpd, figure (val_bpd));
  } else {
    write_model (data, val_bpd);
    std::printf ("wrote %s: %lld steps, validation %.4f bits/dim, trained %s\n", o.out.c_str (),
        (long long) trainer->steps (), val_bpd, format_duration (trainer->elapsed_seconds).c_str ());
  }
  if (group && trainer->steps () > first_step)
    std::printf ("all-reduce: %.1f ms per step (waiting for the other ranks included), %d ranks\n",
        1000.0 * trainer->communication_seconds / (trainer->steps () - first_step), world);
  return 0;
}

}  // namespace pixelrnn
