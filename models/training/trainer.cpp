#include "trainer.h"

#include "api/files.h"
#include "inpainting/fill_loss.h"
#include "network/likelihood.h"
#include "io/model_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/rmsprop.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace pixelrnn {

Trainer::Trainer (PixelModel model, const TrainOptions &options)
    : model_ (std::move (model)), options_ (options), rng_ (options.seed)
{
  if (options.conditioner_only && !model_->conditioner)
    throw std::invalid_argument ("the model has no inpainting conditioner to train");
  const auto trained = options.conditioner_only ? model_->conditioner->parameters ()
                                                : model_->parameters ();
  if (options.optimizer == "adam")
    optimizer_ = std::make_unique<torch::optim::Adam> (trained,
        torch::optim::AdamOptions (options.learning_rate));
  else if (options.optimizer == "rmsprop")
    optimizer_ = std::make_unique<torch::optim::RMSprop> (trained,
        torch::optim::RMSpropOptions (options.learning_rate).alpha (0.95).eps (1e-6));
  else
    throw std::invalid_argument ("unknown optimizer '" + options.optimizer +
        "' (expected adam or rmsprop)");
  if (options.ema_decay > 0) {
    torch::NoGradGuard no_grad;
    for (const auto &p : model_->parameters ())
      average_.push_back (p.detach ().clone ());
  }
}

void
Trainer::swap_average ()
{
  torch::NoGradGuard no_grad;
  auto params = model_->parameters ();
  for (size_t k = 0; k < average_.size (); ++k) {
    auto held = params[k].detach ().clone ();
    params[k].copy_ (average_[k]);
    average_[k] = held;
  }
}

Trainer::~Trainer () = default;

double
Trainer::average_over_shards (double loss_bits)
{
  // Buckets of up to 4M values: one collective per bucket instead of one per tensor.
  constexpr int64_t kBucket = 1 << 22;
  auto params = options_.conditioner_only ? model_->conditioner->parameters () : model_->parameters ();
  std::vector<torch::Tensor> grads;
  for (auto &p : params) {
    if (!p.grad ().defined ())
      p.mutable_grad () = torch::zeros_like (p);
    grads.push_back (p.grad ());
  }
  const double n = options_.shard_count;
  size_t k = 0;
  bool loss_sent = false;
  while (k < grads.size () || !loss_sent) {
    std::vector<torch::Tensor> parts;
    int64_t size = 0;
    const size_t first = k;
    while (k < grads.size () && (parts.empty () || size + grads[k].numel () <= kBucket)) {
      parts.push_back (grads[k].reshape ({-1}));
      size += grads[k++].numel ();
    }
    if (k == grads.size ()) {             // the last bucket carries the loss
      parts.push_back (torch::full ({1}, loss_bits));
      loss_sent = true;
    }
    auto flat = torch::cat (parts);
    const auto start = std::chrono::steady_clock::now ();
    options_.all_reduce_sum (flat);
    communication_seconds += std::chrono::duration<double> (std::chrono::steady_clock::now () - start).count ();
    flat.div_ (n);
    int64_t offset = 0;
    for (size_t g = first; g < k; ++g) {
      grads[g].copy_ (flat.narrow (0, offset, grads[g].numel ()).view_as (grads[g]));
      offset += grads[g].numel ();
    }
    if (loss_sent && k == grads.size () && offset < flat.numel ())
      loss_bits = flat[offset].item<double> ();
  }
  return loss_bits;
}

double
Trainer::current_learning_rate () const
{
  return options_.learning_rate * std::pow (options_.lr_decay, static_cast<double> (steps_));
}

double
Trainer::step (const torch::Tensor &batch)
{
  model_->train ();
  for (auto &group : optimizer_->param_groups ())
    group.options ().set_lr (current_learning_rate ());
  optimizer_->zero_grad ();
  torch::Tensor loss;
  double reported = 0;
  if (options_.conditioner_only) {
    const int64_t B = batch.size (0);
    auto holes = random_holes (B * options_.shard_count, batch.size (2), batch.size (3), rng_)
        .narrow (0, B * options_.shard_rank, B);
    auto f = fill_loss (model_, batch, holes, options_.fidelity_weight, options_.with_experts);
    loss = f.loss;
    reported = f.combined_bits;
  } else {
    loss = training_loss (model_, batch);
  }
  loss.backward ();
  if (options_.all_reduce_sum)
    reported = average_over_shards (options_.conditioner_only ? reported : loss.item<double> () / kLn2);
  if (options_.clip_norm > 0)
    torch::nn::utils::clip_grad_norm_ (options_.conditioner_only ? model_->conditioner->parameters ()
        : model_->parameters (), options_.clip_norm);
  optimizer_->step ();
  ++steps_;
  if (!average_.empty ()) {
    torch::NoGradGuard no_grad;
    const double t = static_cast<double> (steps_);
    const double decay = std::min (options_.ema_decay, (1.0 + t) / (10.0 + t));
    auto params = model_->parameters ();
    for (size_t k = 0; k < average_.size (); ++k)
      average_[k].mul_ (decay).add_ (params[k].detach (), 1.0 - decay);
  }
  return options_.conditioner_only || options_.all_reduce_sum ? reported : loss.item<double> () / kLn2;
}

double
Trainer::evaluate (const torch::Tensor &data, int64_t batch_size)
{
  torch::NoGradGuard no_grad;
  model_->eval ();
  swap_average ();
  double total = 0, squared = 0;
  std::mt19937_64 fixed_holes (12345);   // the same holes at every evaluation
  for (int64_t start = 0; start < data.size (0); start += batch_size) {
    auto chunk = data.narrow (0, start, std::min (batch_size, data.size (0) - start));
    if (options_.conditioner_only) {
      auto f = fill_loss (model_, chunk, random_holes (chunk.size (0), chunk.size (2), chunk.size (3),
          fixed_holes), options_.fidelity_weight, options_.with_experts);
      total += chunk.size (0) * f.combined_bits;
      squared += chunk.size (0) * f.mean_rmse * f.mean_rmse;
    } else {
      total += bits_per_dim (model_, chunk).sum ().item<double> ();
    }
  }
  evaluation_rmse = std::sqrt (squared / static_cast<double> (data.size (0)));
  swap_average ();
  return total / static_cast<double> (data.size (0));
}

torch::Tensor
Trainer::random_batch (const torch::Tensor &data, int64_t count, int64_t crop)
{
  return random_batch (data.unbind (0), count, crop);
}

torch::Tensor
Trainer::random_batch (const std::vector<torch::Tensor> &images, int64_t count, int64_t crop)
{
  const auto N = images.size ();
  std::vector<torch::Tensor> items;
  // Every shard draws the whole global batch (same random state) and keeps its slice.
  const int64_t first = count * options_.shard_rank, total = count * options_.shard_count;
  items.reserve (total);
  for (int64_t k = 0; k < total; ++k) {
    auto img = images[rng_ () % N];
    const int64_t H = img.size (1), W = img.size (2);
    if (crop > 0 && (crop < H || crop < W)) {
      int64_t y = static_cast<int64_t> (rng_ () % (H - std::min (crop, H) + 1));
      int64_t x = static_cast<int64_t> (rng_ () % (W - std::min (crop, W) + 1));
      img = img.narrow (1, y, std::min (crop, H)).narrow (2, x, std::min (crop, W));
    }
    if (options_.flip && (rng_ () & 1))
      img = img.flip ({2});
    items.push_back (img);
  }
  return torch::stack (std::vector<torch::Tensor> (items.begin () + first, items.begin () + first + count));
}

void
Trainer::save_checkpoint (const std::string &path)
{
  torch::serialize::OutputArchive archive;
  const auto named = model_->named_parameters ();
  for (size_t k = 0; k < named.size (); ++k) {
    archive.write ("model." + named[k].key (), named[k].value ().detach ());
    if (!average_.empty ())
      archive.write ("average." + named[k].key (), average_[k]);
  }
  torch::serialize::OutputArchive optim_archive;
  optimizer_->save (optim_archive);
  archive.write ("optimizer", optim_archive);
  archive.write ("steps", torch::tensor (steps_));
  archive.write ("shard_count", torch::tensor ((int64_t) options_.shard_count));
  archive.write ("elapsed_seconds", torch::tensor (elapsed_seconds, torch::kFloat64));
  archive.write ("cpu_seconds", torch::tensor (cpu_seconds, torch::kFloat64));
  std::ostringstream rng_state;
  rng_state << rng_;
  std::string s = rng_state.str ();
  archive.write ("rng", torch::from_blob (s.data (), {static_cast<int64_t> (s.size ())}, torch::kUInt8).clone ());
  std::string config = model_->config.to_json ();
  archive.write ("config", torch::from_blob (config.data (),
      {static_cast<int64_t> (config.size ())}, torch::kUInt8).clone ());
  std::ostringstream bytes;
  archive.save_to (bytes);
  write_file_atomic (path, bytes.str ());
}

std::string
Trainer::read_checkpoint_file (const std::string &path)
{
  // Regular files only, size checked before reading (a FIFO blocked, /dev/zero never ended).
  constexpr uint64_t kMaxCheckpointBytes = 4ull << 30;
  return read_regular_file (path, kMaxCheckpointBytes, "checkpoint");
}

void
Trainer::load_checkpoint (const std::string &path)
{
  load_checkpoint_bytes (read_checkpoint_file (path), path);
}

void
Trainer::load_checkpoint_bytes (const std::string &bytes, const std::string &path)
{
  auto fail = [&] (const std::string &why) { return std::runtime_error (path + ": " + why); };
  std::istringstream f (bytes);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from (f);
  } catch (const std::exception &) {
    throw fail ("corrupt checkpoint (cannot read the archive)");
  }
  auto read_string = [&] (const char *key) {
    torch::Tensor t;
    if (!archive.try_read (key, t))
      throw fail (std::string ("checkpoint has no '") + key + "'");
    return std::string (reinterpret_cast<const char *> (t.data_ptr<uint8_t> ()), t.numel ());
  };
  if (read_string ("config") != model_->config.to_json ())
    throw fail ("checkpoint is for another model config (" +
        ModelConfig::from_json (read_string ("config")).summary () + ")");
  torch::NoGradGuard no_grad;
  auto named = model_->named_parameters ();
  for (size_t k = 0; k < named.size (); ++k) {
    auto &p = named[k];
    torch::Tensor t;
    if (!archive.try_read ("model." + p.key (), t) || t.sizes () != p.value ().sizes ())
      throw fail ("checkpoint weight '" + p.key () + "' missing or of the wrong shape");
    p.value ().copy_ (t);
    // A checkpoint from a run without the average starts it from the current weights.
    if (!average_.empty ()) {
      torch::Tensor a;
      average_[k] = archive.try_read ("average." + p.key (), a) && a.sizes () == t.sizes () ? a : t.clone ();
    }
  }
  torch::serialize::InputArchive optim_archive;
  if (!archive.try_read ("optimizer", optim_archive))
    throw fail ("checkpoint has no optimizer state");
  optimizer_->load (optim_archive);
  torch::Tensor shards;
  const int64_t written_by = archive.try_read ("shard_count", shards) ? shards.item<int64_t> () : 1;
  if (written_by != options_.shard_count)
    throw fail ("checkpoint was written by a run with " + std::to_string (written_by) +
        " rank(s); resume it with --world-size " + std::to_string (written_by) +
        " (the order of the data depends on the number of ranks)");
  torch::Tensor steps;
  archive.read ("steps", steps);
  steps_ = steps.item<int64_t> ();
  torch::Tensor elapsed;
  if (archive.try_read ("elapsed_seconds", elapsed))
    elapsed_seconds = elapsed.item<double> ();
  if (archive.try_read ("cpu_seconds", elapsed))
    cpu_seconds = elapsed.item<double> ();
  std::istringstream rng_state (read_string ("rng"));
  rng_state >> rng_;
}

}  // namespace pixelrnn
