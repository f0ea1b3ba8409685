// pixelrnn train: options and data for a TrainingRun (api/training_run.h): maximum-likelihood
// training on IDX files, image folders or video, with validation, checkpoints (every N steps
// and on Ctrl-C) and exact resume.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"
#include "dataset.h"
#include "api/training_ranks.h"
#include "api/training_run.h"

namespace pixelrnn {

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
  gint scale = 0, coarse_hidden = 32, coarse_layers = 2;
  gint conditioner = 0, conditioner_layers = 8, conditioner_mixtures = 3;
  gdouble fidelity_weight = 4.0;
  gboolean fidelity_only = FALSE;
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
    {"scales", 0, 0, G_OPTION_ARG_STRING, &scales, "Images and video: keep each picture at every one of these shrink factors, e.g. 2,4,8 (instead of --downscale); a copy smaller than --patch is left out at that factor", "LIST"},
    {"patch", 0, 0, G_OPTION_ARG_INT, &patch, "Train on random N x N crops (needed for images of mixed sizes)", "N"},
    {"arch", 'a', 0, G_OPTION_ARG_STRING, &arch, "pixelcnn, row-lstm or diagonal-bilstm (default pixelcnn)", "NAME"},
    {"hidden", 0, 0, G_OPTION_ARG_INT, &hidden, "Hidden units h; layers carry 2h features (default 32; a new model's feature counts go up to a multiple of the data's channels)", "H"},
    {"layers", 0, 0, G_OPTION_ARG_INT, &layers, "Residual blocks or recurrent layers (default 4)", "N"},
    {"head-hidden", 0, 0, G_OPTION_ARG_INT, &head_hidden, "Features of the output head (default 64)", "N"},
    {"output", 0, 0, G_OPTION_ARG_STRING, &output, "softmax (the paper's 256-way) or mixture (discretized logistic mixture, PixelCNN++) (default softmax)", "NAME"},
    {"mixtures", 0, 0, G_OPTION_ARG_INT, &mixtures, "Logistic components per sub-pixel with --output mixture (default 5)", "K"},
    {"block", 0, 0, G_OPTION_ARG_STRING, &block, "PixelCNN block: residual (the paper's), gated (a * sigmoid(b), PixelCNN++) or two-stream (gated, vertical + horizontal stream: no blind spot) (default residual)", "NAME"},
    {"dropout", 0, 0, G_OPTION_ARG_DOUBLE, &dropout, "Dropout before each PixelCNN block's 3x3 (two-stream: 2-row) convolutions while training, 0..0.9 (default 0)", "P"},
    {"conditioner", 0, 0, G_OPTION_ARG_INT, &conditioner, "Train an inpainting conditioner with N features for the --init model (its own weights stay fixed): random holes, loss in bits per hole sub-pixel", "N"},
    {"conditioner-layers", 0, 0, G_OPTION_ARG_INT, &conditioner_layers, "Dilated residual blocks of the conditioner (default 8)", "N"},
    {"conditioner-base", 0, 0, G_OPTION_ARG_STRING, &conditioner_base, "Classical fill the conditioner's means start from: steered (default for a new conditioner: the axis fill turned along the edges around the hole), axis (rows and columns across the hole, like ffmpeg's delogo) or membrane (the harmonic fill; the first conditioners). A base other than the --init model's trains a new conditioner", "BASE"},
    {"conditioner-mixtures", 0, 0, G_OPTION_ARG_INT, &conditioner_mixtures, "Logistic components of the conditioner's output (default 3)", "K"},
    {"fidelity-weight", 0, 0, G_OPTION_ARG_DOUBLE, &fidelity_weight, "Conditioner training: weight of the term that pulls its mean (what direct fills) to the truth, beside the NLL terms (default 4)", "W"},
    {"fidelity-only", 0, 0, G_OPTION_ARG_NONE, &fidelity_only, "Conditioner training: leave out the product of experts' term, so the raster-order model is not run (a cheaper step for what direct fills; the experts' weights stay as they are)", nullptr},
    {"input-kernel", 0, 0, G_OPTION_ARG_INT, &input_kernel, "Size of the first, mask-A convolution (default 7)", "K"},
    {"scale", 0, 0, G_OPTION_ARG_INT, &scale, "Multi-scale model (van den Oord et al. 2016, 3.5): every F-th row and column by a coarse model, the rest conditioned on them, F in 2..8 (default 0: one scale; the model then scores only)", "F"},
    {"coarse-hidden", 0, 0, G_OPTION_ARG_INT, &coarse_hidden, "Multi-scale: hidden units of the coarse model and of its view for the full-size one (default 32)", "H"},
    {"coarse-layers", 0, 0, G_OPTION_ARG_INT, &coarse_layers, "Multi-scale: layers of the coarse model (default 2)", "N"},
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
  TrainingRunOptions o;
  o.out = out;
  o.checkpoint = checkpoint ? checkpoint : "";
  try {
    o.distributed = resolve_distributed_settings (world_size, rank, master_addr ? master_addr : "", master_port,
        dist_timeout);
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  if (o.distributed.rank == 0) {   // rank 0 writes the files
    const std::string ckpt_path = checkpoint ? checkpoint : o.out + ".ckpt";
    cli::check_writable (o.out);
    cli::check_writable (ckpt_path);
    for (const auto &p : {o.out, ckpt_path})
      cli::remove_stale_temporaries (p);
  }
  o.architecture = arch ? arch : "pixelcnn";
  o.output = output ? output : "softmax";
  o.block = block ? block : "residual";
  o.hidden = hidden;
  o.layers = layers;
  o.head_hidden = head_hidden;
  o.input_kernel = input_kernel;
  o.mixtures = mixtures;
  o.dropout = dropout;
  o.scale = scale;
  o.coarse_hidden = coarse_hidden;
  o.coarse_layers = coarse_layers;
  o.init = init ? init : "";
  o.conditioner = conditioner;
  o.conditioner_layers = conditioner_layers;
  o.conditioner_mixtures = conditioner_mixtures;
  if (!(fidelity_weight >= 0))
    cli::die ("--fidelity-weight must be >= 0");
  o.fidelity_weight = fidelity_weight;
  if (fidelity_only && conditioner <= 0)
    cli::die ("--fidelity-only trains a conditioner: it needs --conditioner N");
  o.fidelity_only = fidelity_only;
  o.conditioner_base = conditioner_base ? conditioner_base : "";
  o.patch = patch;
  o.val_images = val_images;
  o.steps = steps;
  o.minutes = minutes;
  o.cpu_minutes = cpu_minutes;
  o.batch = batch;
  o.optimizer = optimizer ? optimizer : "adam";
  o.learning_rate = lr;
  o.lr_decay = lr_decay;
  o.clip = clip;
  o.ema = ema_decay;
  o.flip = flip;
  o.seed = static_cast<uint64_t> (seed);
  o.val_every = val_every;
  o.checkpoint_every = ckpt_every;
  o.log_every = log_every;
  o.keep_best = keep_best;
  o.resume = resume;
  o.command = command;
  o.stop_on_sigint = true;
  try {
    // Join the ranks and read --init before the slow data loading, so that an unreachable
    // master or a bad model is said at once.
    std::shared_ptr<RankGroup> ranks;
    if (o.distributed.enabled ())
      ranks = join_training_ranks (o.distributed);
    TrainingRun run (o, ranks);
    Dataset train, validation;
    DatasetOptions dopts{gray ? 1 : 0, every, max_images, downscale, {}, patch};
    if (scales)
      dopts.downscales = cli::parse_positive_list (scales, "--scales");
    train = load_dataset (cli::strv (data), dopts);
    if (val_data)
      validation = load_dataset (cli::strv (val_data), dopts);
    else
      split_validation (train, validation, val_fraction);
    cli::apply_threads (threads);
    return run.run (std::move (train), std::move (validation));
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
}

}  // namespace pixelrnn
