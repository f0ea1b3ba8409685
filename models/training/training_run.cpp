#include "training/training_run_impl.h"

#include "io/tensor_image.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <random>
#include <sys/stat.h>
#include <torch/utils.h>

namespace pixelrnn {

namespace {

std::string
size_of (const torch::Tensor &t)
{
  return std::to_string (t.size (2)) + "x" + std::to_string (t.size (1));
}

// Each image as a uint8 [C, H, W] tensor; its pixels are released once copied (sizes and
// names stay), so the data is held once, not twice.
std::vector<torch::Tensor>
take_tensors (TrainingImages &set)
{
  std::vector<torch::Tensor> out;
  out.reserve (set.images.size ());
  for (auto &image : set.images) {
    out.push_back (image_to_tensor (image));
    std::vector<uint8_t> ().swap (image.pixels);
  }
  return out;
}

// All images as one [N, C, H, W] tensor; throws naming two images of different sizes.
torch::Tensor
stacked (const std::vector<torch::Tensor> &images, const std::vector<std::string> &names)
{
  for (size_t k = 1; k < images.size (); ++k)
    if (images[k].sizes () != images[0].sizes ())
      throw TrainingError ("images of mixed sizes: " + names[0] + " is " + size_of (images[0]) +
          ", " + names[k] + " is " + size_of (images[k]) + " (pass --patch N to train on crops)");
  return torch::stack (images);
}

// `count` patch x patch crops at fixed pseudo-random places (seeded): a validation set that
// is the same on every run and on resume.
torch::Tensor
fixed_patches (const std::vector<torch::Tensor> &images, int64_t count, int64_t patch, uint64_t seed)
{
  std::mt19937_64 rng (seed);
  std::vector<torch::Tensor> out;
  for (int64_t k = 0; k < count; ++k) {
    const auto &img = images[k % images.size ()];
    const int64_t H = img.size (1), W = img.size (2);
    int64_t y = static_cast<int64_t> (rng () % (H - patch + 1));
    int64_t x = static_cast<int64_t> (rng () % (W - patch + 1));
    out.push_back (img.narrow (1, y, patch).narrow (2, x, patch));
  }
  return torch::stack (out);
}

}  // namespace

std::string
format_duration (double s)
{
  char buf[32];
  int total = static_cast<int> (s + 0.5);
  if (total >= 3600)
    std::snprintf (buf, sizeof buf, "%dh%02dm", total / 3600, (total / 60) % 60);
  else
    std::snprintf (buf, sizeof buf, "%dm%02ds", total / 60, total % 60);
  return buf;
}

TrainingRun::TrainingRun (const TrainingRunOptions &options, std::shared_ptr<RankGroup> ranks)
    : impl_ (std::make_unique<Impl> ())
{
  auto &d = *impl_;
  d.o = options;
  d.ckpt_path = options.checkpoint.empty () ? options.out + ".ckpt" : options.checkpoint;
  d.writer = options.distributed.rank == 0;
  if (options.ema < 0 || options.ema >= 1)
    throw TrainingError ("--ema must be in [0, 1)");
  if (options.distributed.enabled () != (ranks != nullptr))
    throw TrainingError ("a distributed training needs its ranks joined (join_training_ranks), "
        "and only a distributed one");
  d.group = std::move (ranks);
  d.settle_config ();
}

TrainingRun::~TrainingRun () = default;

int
TrainingRun::channels () const
{
  return impl_->config.channels;
}

const std::string &
TrainingRun::init_path () const
{
  return impl_->start.path;
}

void
TrainingRun::write_init_unless_present (const std::string &path) const
{
  struct stat st;
  if (stat (path.c_str (), &st) == 0)
    return;
  if (!impl_->start.model)
    throw TrainingError ("no model to start from was read (give init)");
  try {
    save_model (path, impl_->start.model, impl_->start.provenance);
  } catch (const std::exception &e) {
    throw TrainingError ("cannot write the first copy of the model to \"" + path + "\": " + e.what ());
  }
}

void
TrainingRun::Impl::settle_config ()
{
  try {
    config.architecture = architecture_from_name (o.architecture);
    config.output = output_from_name (o.output);
    config.block = block_from_name (o.block);
  } catch (const std::exception &e) {
    throw TrainingError (e.what ());
  }
  config.hidden = o.hidden;
  config.layers = o.layers;
  config.head_hidden = o.head_hidden;
  config.input_kernel = o.input_kernel;
  config.mixtures = o.mixtures;
  config.dropout = (float) o.dropout;
  config.scale = o.scale;
  config.coarse_hidden = o.coarse_hidden;
  config.coarse_layers = o.coarse_layers;
  if (config.architecture != Architecture::PixelCNN && (config.block != Block::Residual || o.dropout > 0))
    throw TrainingError ("--block and --dropout are for --arch pixelcnn");
  if (!o.init.empty ()) {
    try {
      start = load_model (resolve_model (o.init));
    } catch (const std::exception &e) {
      throw TrainingError (e.what ());
    }
    config = start.config;           // the architecture flags are ignored: the model decides
  }
  if (o.conditioner <= 0)
    return;
  if (o.init.empty ())
    throw TrainingError ("--conditioner trains an inpainting conditioner for a trained model: give --init MODEL");
  ConditionerBase base = config.has_conditioner () ? config.conditioner_base : ConditionerBase::Steered;
  try {
    if (!o.conditioner_base.empty ())
      base = conditioner_base_from_name (o.conditioner_base);
  } catch (const std::invalid_argument &e) {
    throw TrainingError (std::string ("--conditioner-base: ") + e.what ());
  }
  new_conditioner = !config.has_conditioner () || base != config.conditioner_base;
  config.conditioner_base = base;
  if (!new_conditioner && (config.conditioner_hidden != o.conditioner ||
      config.conditioner_layers != o.conditioner_layers || config.conditioner_mixtures != o.conditioner_mixtures))
    throw TrainingError (o.init + " already has a conditioner of another size (" + config.summary () + ")");
  config.conditioner_hidden = o.conditioner;
  config.conditioner_layers = o.conditioner_layers;
  config.conditioner_mixtures = o.conditioner_mixtures;
}

// A new model's feature counts split into one group per channel (R, G, B): a count that
// does not divide (the defaults 32 and 64 on colour data) goes up to the next multiple, said
// once, instead of failing.
void
TrainingRun::Impl::round_to_channel_groups ()
{
  const int C = config.channels;
  for (auto [flag, value] : {std::pair<const char *, int *>{"--hidden", &config.hidden},
           {"--head-hidden", &config.head_hidden}, {"--coarse-hidden", &config.coarse_hidden}}) {
    if (*value <= 0 || *value % C == 0 || (value == &config.coarse_hidden && !config.multi_scale ()))
      continue;
    const int rounded = (*value / C + 1) * C;
    if (writer)
      std::printf ("%s %d -> %d: a multiple of the data's %d channels (one group of features each)\n",
          flag, *value, rounded, C);
    *value = rounded;
  }
}

void
TrainingRun::Impl::prepare_data (TrainingImages &train, TrainingImages &validation)
{
  if (train.images.empty ())
    throw TrainingError ("no training images");
  if (validation.images.empty ())
    throw TrainingError ("no validation images (give --val-data or more data)");
  if (validation.channels != train.channels)
    throw TrainingError ("validation data has " + std::to_string (validation.channels) +
        " channels, training data " + std::to_string (train.channels));
  if (!o.init.empty () && config.channels != train.channels)
    throw TrainingError (o.init + " has " + std::to_string (config.channels) +
        " channel(s) but the data has " + std::to_string (train.channels) +
        (config.channels == 1 ? " (pass --gray)" : ""));
  config.channels = train.channels;
  if (o.init.empty ())
    round_to_channel_groups ();
  train_images = take_tensors (train);
  const auto val_images = take_tensors (validation);
  if (o.patch > 0) {
    for (const TrainingImages *set : {&train, &validation})
      for (size_t k = 0; k < set->images.size (); ++k)
        if (set->images[k].height < o.patch || set->images[k].width < o.patch)
          throw TrainingError (set->names[k] + ": " + std::to_string (set->images[k].width) +
              "x" + std::to_string (set->images[k].height) + " is smaller than --patch " +
              std::to_string (o.patch));
    val_tensor = fixed_patches (val_images, o.val_images, o.patch, o.seed + 1);
  } else {
    train_stack = stacked (train_images, train.names);
    val_tensor = stacked (val_images, validation.names)
                     .narrow (0, 0, std::min<int64_t> (o.val_images, val_images.size ()));
    if (val_tensor.sizes ().slice (1) != train_stack.sizes ().slice (1))
      throw TrainingError ("validation images are not the size of the training images (pass --patch)");
  }
  std::string err = config.validate ();
  if (!err.empty ())
    throw TrainingError ("bad model settings: " + err);
}

// Everything the ranks must share, checked before the first tensor crosses.
void
TrainingRun::Impl::agree_with_other_ranks (const TrainingImages &train)
{
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
           {"--batch", std::to_string (o.batch)}, {"--steps", std::to_string (o.steps)},
           {"--patch", std::to_string (o.patch)}, {"--lr", std::to_string (o.learning_rate)},
           {"--init", o.init.empty () ? "(none)" : o.init}, {"--conditioner", std::to_string (o.conditioner)},
           {"--fidelity-weight", std::to_string (o.fidelity_weight)},
           {"--fidelity-only", o.fidelity_only ? "yes" : "no"},
           {"world size", std::to_string (o.distributed.world_size)}, {"protocol", "1"}})
    shared.emplace_back (key, value);
  try {
    group->agree (shared);
  } catch (const std::exception &e) {
    throw TrainingError (e.what ());
  }
}

void
TrainingRun::Impl::make_trainer ()
{
  if (!streaming)   // a stream's run copies its model: no initialisation to seed
    torch::manual_seed (o.seed);
  TrainOptions topts;
  topts.optimizer = o.optimizer;
  topts.learning_rate = o.learning_rate;
  topts.lr_decay = o.lr_decay;
  topts.clip_norm = o.clip;
  topts.seed = o.seed;
  topts.ema_decay = o.ema;
  topts.flip = o.flip;
  topts.conditioner_only = o.conditioner > 0;
  topts.fidelity_weight = o.fidelity_weight;
  topts.with_experts = !o.fidelity_only;
  if (group) {
    topts.shard_rank = o.distributed.rank;
    topts.shard_count = o.distributed.world_size;
    topts.all_reduce_sum = [this] (torch::Tensor &t) { group->all_reduce_sum (t); };
  }
  try {
    // A copy of the init model, so that the one read stays as read (a run on a stream starts
    // from it again after a restart).
    PixelModel model = !o.init.empty () ? PixelModel (std::dynamic_pointer_cast<PixelModelImpl> (start.model->clone ()))
                                        : PixelModel (config);
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
    if (o.resume && !group) {
      trainer->load_checkpoint (ckpt_path);
    } else if (o.resume) {
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
    if (o.resume)
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
    throw TrainingError (e.what ());
  }
}

// The model file: the weights' average if one is kept, with what made them.
void
TrainingRun::Impl::write_model (const std::string &data, double validation)
{
  Provenance prov;
  prov.data = data;
  prov.steps = trainer->steps ();
  prov.validation_bits_per_dim = validation;
  if (o.conditioner > 0)
    prov.validation_fill_rmse = trainer->evaluation_rmse;
  prov.date = iso8601_now ();
  prov.command = o.command;
  prov.train_seconds = trainer->elapsed_seconds;
  try {
    trainer->swap_average ();
    save_model (o.out, trainer->model (), prov);
    trainer->swap_average ();
  } catch (const std::exception &e) {
    throw TrainingError (e.what ());
  }
}

int
TrainingRun::run (TrainingImages train, TrainingImages validation)
{
  auto &d = *impl_;
  d.prepare_data (train, validation);
  if (d.group)
    d.agree_with_other_ranks (train);
  d.make_trainer ();
  if (d.writer)
    std::printf ("model: %s, %lld parameters\ndata: %s (%zu for training, %lld for validation)\n",
      d.config.summary ().c_str (), (long long) d.trainer->model ()->parameter_count (),
      train.description.c_str (), train.images.size (), (long long) d.val_tensor.size (0));
  // Fine-tuning a model that has a conditioner trains its likelihood path: the conditioner
  // stays as it was. Said, because training the conditioner needs --conditioner N.
  if (d.writer && d.o.conditioner <= 0 && d.config.has_conditioner ())
    std::printf ("training: the model's likelihood path; its inpainting conditioner is kept as it is "
        "(--conditioner %d trains the conditioner instead)\n", d.config.conditioner_hidden);
  std::fflush (stdout);
  if (d.o.stop_on_sigint)
    std::signal (SIGINT, [] (int) { TrainingRun::request_stop (); });
  return d.loop ([&] (bool &waited) {
    waited = false;
    return d.o.patch > 0 ? d.trainer->random_batch (d.train_images, d.o.batch, d.o.patch)
                         : d.trainer->random_batch (d.train_stack, d.o.batch);
  }, train.description);
}

}  // namespace pixelrnn
