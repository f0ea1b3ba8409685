// pixelrnn train: maximum-likelihood training on IDX files, image folders or video, with
// validation, checkpoints (every N steps and on Ctrl-C) and exact resume.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"
#include "dataset.h"
#include <nlohmann/json.hpp>
#include "distributed.h"
#include "io/model_file.h"
#include "training/trainer.h"

#include <chrono>
#include <csignal>
#include <limits>
#include <ctime>
#include <cstdio>
#include <torch/utils.h>
#include <unistd.h>

namespace pixelrnn {

namespace {

volatile std::sig_atomic_t interrupted = 0;

void
on_sigint (int)
{
  interrupted = 1;
}

// Processor time of the whole process, all threads: training's compute on a busy machine.
double
process_cpu_seconds ()
{
  timespec t{};
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

}  // namespace

int
cmd_train (int argc, char **argv)
{
  const std::string command = cli::command_line (argc, argv);
  gchar **data = nullptr, **val_data = nullptr;
  gchar *out = nullptr, *checkpoint = nullptr, *arch = nullptr, *optimizer = nullptr;
  gchar *output = nullptr, *scales = nullptr;
  gint mixtures = 5;
  gchar *block = nullptr, *conditioner_base = nullptr;
  gdouble dropout = 0;
  gint conditioner = 0, conditioner_layers = 8, conditioner_mixtures = 3;
  gint every = 1, max_images = 0, downscale = 1, patch = 0;
  gint hidden = 32, layers = 4, head_hidden = 64, input_kernel = 7;
  gdouble minutes = 0, cpu_minutes = 0;
  gint steps = 1000, batch = 16, threads = 0, val_every = 500, val_images = 500, ckpt_every = 500;
  gint log_every = 50;
  gint64 seed = 0;
  gdouble lr = 1e-3, lr_decay = 0.9999, clip = 1.0, val_fraction = 0.05, ema_decay = 0.0;
  gboolean flip = FALSE;
  gboolean resume = FALSE, gray = FALSE, keep_best = FALSE;
  gchar *init = nullptr;
  gint world_size = kUnsetOption, rank = kUnsetOption, master_port = kUnsetOption, dist_timeout = 120;
  gchar *master_addr = nullptr;
  const GOptionEntry entries[] = {
    {"data", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &data, "Training data: IDX file (.gz too), folder of PNG/JPEG, image, or video file/URI (repeatable)", "PATH"},
    {"val-data", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &val_data, "Validation data (default: every 20th training image)", "PATH"},
    {"val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val_fraction, "Share of the data held out for validation when --val-data is not given (default 0.05)", "F"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Model file to write (required)", "FILE"},
    {"gray", 0, 0, G_OPTION_ARG_NONE, &gray, "Convert images and video to gray (1 channel)", nullptr},
    {"every", 0, 0, G_OPTION_ARG_INT, &every, "Video: keep every Nth frame (default 1)", "N"},
    {"max-images", 0, 0, G_OPTION_ARG_INT, &max_images, "At most N images or frames per source (default all)", "N"},
    {"downscale", 0, 0, G_OPTION_ARG_INT, &downscale, "Shrink images by this integer factor first (default 1)", "N"},
    {"scales", 0, 0, G_OPTION_ARG_STRING, &scales, "Images and video: keep each picture at every one of these shrink factors, e.g. 2,4,8 (instead of --downscale)", "LIST"},
    {"patch", 0, 0, G_OPTION_ARG_INT, &patch, "Train on random N x N crops (needed for images of mixed sizes)", "N"},
    {"arch", 'a', 0, G_OPTION_ARG_STRING, &arch, "pixelcnn, row-lstm or diagonal-bilstm (default pixelcnn)", "NAME"},
    {"hidden", 0, 0, G_OPTION_ARG_INT, &hidden, "Hidden units h; layers carry 2h features (default 32)", "H"},
    {"layers", 0, 0, G_OPTION_ARG_INT, &layers, "Residual blocks or recurrent layers (default 4)", "N"},
    {"head-hidden", 0, 0, G_OPTION_ARG_INT, &head_hidden, "Features of the output head (default 64)", "N"},
    {"output", 0, 0, G_OPTION_ARG_STRING, &output, "softmax (the paper's 256-way) or mixture (discretized logistic mixture, PixelCNN++) (default softmax)", "NAME"},
    {"mixtures", 0, 0, G_OPTION_ARG_INT, &mixtures, "Logistic components per sub-pixel with --output mixture (default 5)", "K"},
    {"block", 0, 0, G_OPTION_ARG_STRING, &block, "PixelCNN block: residual (the paper's), gated (a * sigmoid(b), PixelCNN++) or two-stream (gated, vertical + horizontal stream: no blind spot) (default residual)", "NAME"},
    {"dropout", 0, 0, G_OPTION_ARG_DOUBLE, &dropout, "Dropout before each PixelCNN block's 3x3 (two-stream: 2-row) convolutions while training, 0..0.9 (default 0)", "P"},
    {"conditioner", 0, 0, G_OPTION_ARG_INT, &conditioner, "Train an inpainting conditioner with N features for the --init model (its own weights stay fixed): random holes, loss in bits per hole sub-pixel", "N"},
    {"conditioner-layers", 0, 0, G_OPTION_ARG_INT, &conditioner_layers, "Dilated residual blocks of the conditioner (default 8)", "N"},
    {"conditioner-base", 0, 0, G_OPTION_ARG_STRING, &conditioner_base, "Classical fill the conditioner's means start from: axis (default for a new conditioner: rows and columns across the hole, like ffmpeg's delogo) or membrane (the harmonic fill; conditioners trained before the axis fill). A base other than the --init model's trains a new conditioner", "BASE"},
    {"conditioner-mixtures", 0, 0, G_OPTION_ARG_INT, &conditioner_mixtures, "Logistic components of the conditioner's output (default 3)", "K"},
    {"input-kernel", 0, 0, G_OPTION_ARG_INT, &input_kernel, "Size of the first, mask-A convolution (default 7)", "K"},
    {"steps", 's', 0, G_OPTION_ARG_INT, &steps, "Optimizer steps in all, counting resumed ones (default 1000)", "N"},
    {"minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes, "Also stop once training has taken this many minutes, counting resumed ones and not validation (0 = no limit)", "M"},
    {"cpu-minutes", 0, 0, G_OPTION_ARG_DOUBLE, &cpu_minutes, "Also stop once training has used this many minutes of processor time, all threads together (compare designs at equal compute, even on a busy machine; 0 = no limit)", "M"},
    {"batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Images per step (default 16)", "N"},
    {"optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "adam or rmsprop (default adam)", "NAME"},
    {"lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Learning rate (default 0.001)", "LR"},
    {"lr-decay", 0, 0, G_OPTION_ARG_DOUBLE, &lr_decay, "Learning rate factor per step (default 0.9999)", "F"},
    {"ema", 0, 0, G_OPTION_ARG_DOUBLE, &ema_decay, "Keep an exponential moving average of the weights with this decay (e.g. 0.999); validation and the written model use it (default 0: off)", "D"},
    {"flip", 0, 0, G_OPTION_ARG_NONE, &flip, "Flip training images left-right at random", nullptr},
    {"clip", 0, 0, G_OPTION_ARG_DOUBLE, &clip, "Clip the gradient norm to this, 0 = off (default 1)", "N"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "Compute threads (default: all cores)", "N"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed for initialisation and batches (default 0)", "N"},
    {"val-every", 0, 0, G_OPTION_ARG_INT, &val_every, "Measure validation bits/dim every N steps (default 500)", "N"},
    {"val-images", 0, 0, G_OPTION_ARG_INT, &val_images, "Validation images or patches used (default 500)", "N"},
    {"checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint, "Checkpoint file (default OUT.ckpt)", "FILE"},
    {"checkpoint-every", 0, 0, G_OPTION_ARG_INT, &ckpt_every, "Write a checkpoint every N steps (default 500)", "N"},
    {"init", 0, 0, G_OPTION_ARG_FILENAME, &init, "Start from this model's weights and settings (path or shipped name): fine-tune it on your own data", "MODEL"},
    {"keep-best", 0, 0, G_OPTION_ARG_NONE, &keep_best, "Write the model at each validation that beats every earlier one (with --resume, also the --out file already there) and never replace it with a worse one: early stopping without stopping", nullptr},
    {"resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue from the checkpoint: step, optimizer and random state", nullptr},
    {"world-size", 0, 0, G_OPTION_ARG_INT, &world_size, "Train data-parallel in this many processes (default $WORLD_SIZE or 1); --batch is per process", "N"},
    {"rank", 0, 0, G_OPTION_ARG_INT, &rank, "This process's rank, 0..N-1; rank 0 validates and writes (default $RANK or 0)", "R"},
    {"master-addr", 0, 0, G_OPTION_ARG_STRING, &master_addr, "Address of rank 0 (default $MASTER_ADDR or 127.0.0.1)", "HOST"},
    {"master-port", 0, 0, G_OPTION_ARG_INT, &master_port, "TCP port rank 0 listens on (default $MASTER_PORT or 29500)", "PORT"},
    {"dist-timeout", 0, 0, G_OPTION_ARG_INT, &dist_timeout, "Seconds to wait for the other ranks, to join or at any step, before giving up (default 120)", "S"},
    {"log-every", 0, 0, G_OPTION_ARG_INT, &log_every, "Progress line every N steps when not on a terminal (default 50)", "N"},
    {nullptr}};
  cli::parse (argc, argv, entries, "- train a PixelRNN model",
      "Trains by maximum likelihood and writes a model file with its provenance.",
      "Example:\n  pixelrnn train --data /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \\\n"
      "      --out fm.pixelrnn --steps 2000\n"
      "Ctrl-C writes a checkpoint; run the same command with --resume to continue.");

  if (!out)
    cli::die ("--out FILE is required");
  if (!data)
    cli::die ("--data PATH is required");
  if (minutes < 0 || cpu_minutes < 0)
    cli::die ("--minutes and --cpu-minutes must be 0 (no limit) or positive");
  if (steps < 1 || batch < 1 || patch < 0 || downscale < 1 || every < 1 || val_every < 1 || ckpt_every < 1)
    cli::die ("--steps, --batch, --downscale, --every, --val-every and --checkpoint-every must be positive");
  const std::string out_path = out, ckpt_path = checkpoint ? checkpoint : out_path + ".ckpt";
  DistributedSettings dist;
  try {
    dist = resolve_distributed_settings (world_size, rank, master_addr ? master_addr : "", master_port,
        dist_timeout);
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  const bool writer = dist.rank == 0;       // rank 0 validates, prints and writes files
  if (writer) {
    cli::check_writable (out_path);
    cli::check_writable (ckpt_path);
    for (const auto &p : {out_path, ckpt_path})
      cli::remove_stale_temporaries (p);
  }
  // Join the group before the slow data loading, so that an unreachable master is said at once.
  std::unique_ptr<DistributedGroup> group;
  if (dist.enabled ()) {
    try {
      group = std::make_unique<DistributedGroup> (dist);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
    std::printf ("rank %d of %d joined at %s:%d\n", dist.rank, dist.world_size, dist.master_addr.c_str (),
        dist.master_port);
  }

  ModelConfig config;
  try {
    config.architecture = architecture_from_name (arch ? arch : "pixelcnn");
    config.output = output_from_name (output ? output : "softmax");
    config.block = block_from_name (block ? block : "residual");
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  config.hidden = hidden;
  config.layers = layers;
  config.head_hidden = head_hidden;
  config.input_kernel = input_kernel;
  config.mixtures = mixtures;
  config.dropout = (float) dropout;
  if (config.architecture != Architecture::PixelCNN && (config.block != Block::Residual || dropout > 0))
    cli::die ("--block and --dropout are for --arch pixelcnn");
  LoadedModel start;
  if (init) {
    start = cli::load_model_or_die (init);
    config = start.config;           // the architecture flags are ignored: the model decides
  }
  bool new_conditioner = false;
  if (conditioner > 0) {
    if (!init)
      cli::die ("--conditioner trains an inpainting conditioner for a trained model: give --init MODEL");
    ConditionerBase base = config.has_conditioner () ? config.conditioner_base : ConditionerBase::Axis;
    try {
      if (conditioner_base)
        base = conditioner_base_from_name (conditioner_base);
    } catch (const std::invalid_argument &e) {
      cli::die (std::string ("--conditioner-base: ") + e.what ());
    }
    new_conditioner = !config.has_conditioner () || base != config.conditioner_base;
    config.conditioner_base = base;
    if (!new_conditioner && (config.conditioner_hidden != conditioner ||
        config.conditioner_layers != conditioner_layers || config.conditioner_mixtures != conditioner_mixtures))
      cli::die (std::string (init) + " already has a conditioner of another size (" +
          config.summary () + ")");
    config.conditioner_hidden = conditioner;
    config.conditioner_layers = conditioner_layers;
    config.conditioner_mixtures = conditioner_mixtures;
  }

  Dataset train, validation;
  torch::Tensor train_stack, val_tensor;
  try {
    DatasetOptions dopts{gray ? 1 : 0, every, max_images, downscale, {}};
    if (scales)
      dopts.downscales = cli::parse_positive_list (scales, "--scales");
    train = load_dataset (cli::strv (data), dopts);
    if (val_data)
      validation = load_dataset (cli::strv (val_data), dopts);
    else
      split_validation (train, validation, val_fraction);
    if (validation.images.empty ())
      throw std::runtime_error ("no validation images (give --val-data or more data)");
    if (validation.channels != train.channels)
      throw std::runtime_error ("validation data has " + std::to_string (validation.channels) +
          " channels, training data " + std::to_string (train.channels));
    if (init && config.channels != train.channels)
      throw std::runtime_error (std::string (init) + " has " + std::to_string (config.channels) +
          " channel(s) but the data has " + std::to_string (train.channels) +
          (config.channels == 1 ? " (pass --gray)" : ""));
    config.channels = train.channels;
    if (patch > 0) {
      for (const Dataset *set : {&train, &validation})
        for (size_t k = 0; k < set->images.size (); ++k)
          if (set->images[k].size (1) < patch || set->images[k].size (2) < patch)
            throw std::runtime_error (set->names[k] + ": " + std::to_string (set->images[k].size (2)) +
                "x" + std::to_string (set->images[k].size (1)) + " is smaller than --patch " +
                std::to_string (patch));
      val_tensor = fixed_patches (validation.images, val_images, patch, static_cast<uint64_t> (seed) + 1);
    } else {
      train_stack = train.stacked ();
      val_tensor = validation.stacked ().narrow (0, 0, std::min<int64_t> (val_images, validation.images.size ()));
      if (val_tensor.sizes ().slice (1) != train_stack.sizes ().slice (1))
        throw std::runtime_error ("validation images are not the size of the training images (pass --patch)");
    }
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  std::string err = config.validate ();
  if (!err.empty ())
    cli::die ("bad model settings: " + err);
  cli::apply_threads (threads);
  if (group) {
    // Everything the ranks must share, checked before the first tensor crosses.
    std::vector<std::pair<std::string, std::string>> shared;
    const auto model_settings = nlohmann::json::parse (config.to_json ());
    for (const auto &item : model_settings.items ())
      shared.emplace_back ("model " + item.key (), item.value ().dump ());
    std::string names;
    for (const auto &n : train.names)
      names += n + "\n";
    for (const auto &[key, value] : std::vector<std::pair<std::string, std::string>>{
             {"training images", std::to_string (train.images.size ())},
             {"data (hash of the image names)", std::to_string (std::hash<std::string> {} (names))},
             {"--batch", std::to_string (batch)}, {"--steps", std::to_string (steps)},
             {"--patch", std::to_string (patch)}, {"--lr", std::to_string (lr)},
             {"--init", init ? init : "(none)"}, {"--conditioner", std::to_string (conditioner)},
             {"world size", std::to_string (dist.world_size)}, {"protocol", "1"}})
      shared.emplace_back (key, value);
    try {
      group->agree (shared);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  }

  torch::manual_seed (static_cast<uint64_t> (seed));
  TrainOptions topts;
  topts.optimizer = optimizer ? optimizer : "adam";
  topts.learning_rate = lr;
  topts.lr_decay = lr_decay;
  topts.clip_norm = clip;
  topts.seed = static_cast<uint64_t> (seed);
  if (ema_decay < 0 || ema_decay >= 1)
    cli::die ("--ema must be in [0, 1)");
  topts.ema_decay = ema_decay;
  topts.flip = flip;
  topts.conditioner_only = conditioner > 0;
  if (group) {
    topts.shard_rank = dist.rank;
    topts.shard_count = dist.world_size;
    topts.all_reduce_sum = [&group] (torch::Tensor &t) { group->all_reduce_sum (t); };
  }
  std::unique_ptr<Trainer> trainer;
  try {
    PixelModel model = init ? start.model : PixelModel (config);
    if (new_conditioner) {
      model = PixelModel (config);   // the --init model's weights, a new conditioner
      torch::NoGradGuard no_grad;
      auto from = start.model->named_parameters ();
      for (auto &p : model->named_parameters ())
        if (p.key ().rfind ("conditioner.", 0) != 0)
          if (const auto *t = from.find (p.key ()))
            p.value ().copy_ (*t);
    }
    trainer = std::make_unique<Trainer> (model, topts);
    if (resume && !group) {
      trainer->load_checkpoint (ckpt_path);
    } else if (resume) {
      // Rank 0's checkpoint, sent to every rank: the machines need not share a disk.
      std::string bytes, problem;
      if (writer) {
        try {
          bytes = Trainer::read_checkpoint_file (ckpt_path);
        } catch (const std::exception &e) {
          problem = e.what ();
        }
      }
      const std::string sent = group->broadcast_bytes ("checkpoint", problem.empty () ? "C" + bytes : "E" + problem);
      if (sent[0] == 'E')
        throw std::runtime_error (writer ? sent.substr (1) : "rank 0 could not read its checkpoint: " + sent.substr (1));
      trainer->load_checkpoint_bytes (sent.substr (1), ckpt_path + " (from rank 0)");
    }
    if (resume)
      std::printf ("resuming from %s at step %lld\n", ckpt_path.c_str (), (long long) trainer->steps ());
    if (group) {
      // Every rank starts from rank 0's weights.
      torch::NoGradGuard no_grad;
      auto params = trainer->model ()->parameters ();
      std::vector<torch::Tensor> flat_parts;
      for (auto &p : params)
        flat_parts.push_back (p.detach ().reshape ({-1}));
      auto flat = torch::cat (flat_parts);
      group->broadcast (flat);
      int64_t offset = 0;
      for (auto &p : params) {
        p.copy_ (flat.narrow (0, offset, p.numel ()).view_as (p));
        offset += p.numel ();
      }
    }
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  if (writer)
    std::printf ("model: %s, %lld parameters\ndata: %s (%zu for training, %lld for validation)\n",
      config.summary ().c_str (), (long long) trainer->model ()->parameter_count (),
      train.description.c_str (), train.images.size (), (long long) val_tensor.size (0));
  std::fflush (stdout);

  std::signal (SIGINT, on_sigint);
  const bool tty = isatty (STDERR_FILENO);
  using clock = std::chrono::steady_clock;
  auto window_start = clock::now ();
  auto last_tick = window_start;
  double last_cpu = process_cpu_seconds ();
  int64_t window_images = 0;
  double ema = -1, val_bpd = -1;
  const int64_t first_step = trainer->steps ();
  bool out_of_time = false;
  // The model file: the weights' average if one is kept, with what made them.
  auto write_model = [&] (double validation) {
    Provenance prov;
    prov.data = train.description;
    prov.steps = trainer->steps ();
    prov.validation_bits_per_dim = validation;
    prov.date = iso8601_now ();
    prov.command = command;
    prov.train_seconds = trainer->elapsed_seconds;
    try {
      trainer->swap_average ();
      save_model (out_path, trainer->model (), prov);
      trainer->swap_average ();
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  };
  double best_bpd = std::numeric_limits<double>::infinity ();
  int64_t best_step = -1;
  if (keep_best && resume && writer && g_file_test (out_path.c_str (), G_FILE_TEST_EXISTS)) {
    try {
      const auto previous = load_model (out_path);
      best_bpd = previous.provenance.validation_bits_per_dim;
      best_step = previous.provenance.steps;
    } catch (const std::exception &e) {
      cli::die (std::string ("--keep-best: ") + e.what ());
    }
  }
  while (trainer->steps () < steps) {
    double loss = 0;
    try {
      out_of_time = (minutes > 0 && trainer->elapsed_seconds >= minutes * 60) ||
          (cpu_minutes > 0 && trainer->cpu_seconds >= cpu_minutes * 60);
      if (group) {
        // Ctrl-C on any rank stops every rank after the same step; so does rank 0's clock.
        auto flag = torch::full ({1}, (interrupted ? 1.f : 0.f) + (out_of_time && writer ? 2.f : 0.f));
        group->all_reduce_sum (flag);
        const int f = (int) flag.item<float> ();
        out_of_time = f >= 2;
        if (f % 2 == 1)
          interrupted = 1;
        if (f > 0)
          break;
      } else if (interrupted || out_of_time) {
        break;
      }
      auto batch_images = patch > 0 ? trainer->random_batch (train.images, batch, patch)
                                    : trainer->random_batch (train_stack, batch);
      loss = trainer->step (batch_images);
    } catch (const std::exception &e) {
      cli::die (std::string ("training stopped at step ") + std::to_string (trainer->steps () + 1) +
          ": " + e.what ());
    }
    auto now = clock::now ();
    trainer->elapsed_seconds += std::chrono::duration<double> (now - last_tick).count ();
    last_tick = now;
    const double cpu_now = process_cpu_seconds ();
    trainer->cpu_seconds += cpu_now - last_cpu;
    last_cpu = cpu_now;
    ema = ema < 0 ? loss : 0.98 * ema + 0.02 * loss;
    window_images += (int64_t) batch * dist.world_size;
    const int64_t s = trainer->steps ();
    double secs = std::chrono::duration<double> (now - window_start).count ();
    double ips = window_images / std::max (secs, 1e-9);
    if (writer && (s % val_every == 0 || s == steps)) {
      val_bpd = trainer->evaluate (val_tensor);
      if (conditioner > 0)
        std::printf ("step %lld: held-out holes: %.4f bits per value, conditioner mean off by %.2f levels (RMS)\n",
            (long long) s, val_bpd, trainer->evaluation_rmse);
      if (keep_best && val_bpd < best_bpd) {
        best_bpd = val_bpd;
        best_step = s;
        write_model (val_bpd);
        std::printf ("step %lld: best validation so far, wrote %s\n", (long long) s, out_path.c_str ());
      }
      last_tick = clock::now ();
      last_cpu = process_cpu_seconds ();
    }
    if (writer && (tty || s % log_every == 0 || s == steps || s % val_every == 0)) {
      char line[256];
      double eta = (steps - s) * (double) batch * dist.world_size / std::max (ips, 1e-9);
      std::snprintf (line, sizeof line, "step %lld/%d  loss %.3f bits/dim  val %s  %.1f img/s  ETA %s  trained %.0f s, cpu %.0f s",
          (long long) s, steps, ema,
          val_bpd < 0 ? "-" : (std::to_string (val_bpd).substr (0, 5) + " bits/dim").c_str (), ips,
          cli::format_duration (eta).c_str (), trainer->elapsed_seconds, trainer->cpu_seconds);
      if (tty)
        std::fprintf (stderr, "\r%-100s", line);
      else
        std::printf ("%s\n", line);
      std::fflush (stdout);
    }
    if (writer && s % ckpt_every == 0 && s < steps)
      trainer->save_checkpoint (ckpt_path);
    if (secs > 30) {  // a sliding window keeps img/s and ETA current
      window_start = now;
      window_images = 0;
    }
  }
  if (tty && writer)
    std::fprintf (stderr, "\n");
  if (out_of_time && !interrupted && writer)
    std::printf ("time budget reached at step %lld (%.1f minutes, %.1f processor minutes)\n",
        (long long) trainer->steps (), trainer->elapsed_seconds / 60, trainer->cpu_seconds / 60);
  if (interrupted && !writer) {
    std::printf ("rank %d: stopped at step %lld with the others\n", dist.rank, (long long) trainer->steps ());
    return 130;
  }
  if (interrupted) {
    trainer->save_checkpoint (ckpt_path);
    std::printf ("interrupted at step %lld; checkpoint written to %s; run the same command with --resume to continue\n",
        (long long) trainer->steps (), ckpt_path.c_str ());
    return 130;
  }
  if (!writer) {
    std::printf ("rank %d: finished %lld steps; rank 0 writes the model\n", dist.rank, (long long) trainer->steps ());
    return 0;
  }
  if (val_bpd < 0 || trainer->steps () == first_step)
    val_bpd = trainer->evaluate (val_tensor);
  trainer->save_checkpoint (ckpt_path);
  if (keep_best && !(val_bpd < best_bpd)) {   // a NaN validation is never better
    std::printf ("kept %s from step %lld (validation %.4f bits/dim; the last step's %.4f is no better)\n",
        out_path.c_str (), (long long) best_step, best_bpd, val_bpd);
  } else {
    write_model (val_bpd);
    std::printf ("wrote %s: %lld steps, validation %.4f bits/dim, trained %s\n", out_path.c_str (),
        (long long) trainer->steps (), val_bpd, cli::format_duration (trainer->elapsed_seconds).c_str ());
  }
  if (group && trainer->steps () > first_step)
    std::printf ("all-reduce: %.1f ms per step (waiting for the other ranks included), %d ranks\n",
        1000.0 * trainer->communication_seconds / (trainer->steps () - first_step), dist.world_size);
  return 0;
}

}  // namespace pixelrnn
