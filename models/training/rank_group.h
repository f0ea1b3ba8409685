// RankGroup: what a training run asks of its data-parallel ranks. An interface, so that the
// training loop (also the pixelrnntrain element's) links without c10d, Gloo and glog: only
// `pixelrnn train` joins real ranks (training/distributed_group.h, api/training_ranks.h).
#pragma once

#include <string>
#include <torch/types.h>
#include <utility>
#include <vector>

namespace pixelrnn {

class RankGroup {
 public:
  virtual ~RankGroup () = default;
  virtual int rank () const = 0;
  virtual int world_size () const = 0;
  // Sums `flat` (a contiguous CPU tensor) over the ranks, in place. Throws
  // std::runtime_error when another rank is gone (closed connection or timeout).
  virtual void all_reduce_sum (torch::Tensor &flat) = 0;
  // Rank 0's values of `tensor` to every rank, in place.
  virtual void broadcast (torch::Tensor &tensor) = 0;
  // Every rank's `settings` (name, value) must equal rank 0's; on any difference every rank
  // throws std::runtime_error with one line naming the rank, the setting and both values,
  // before a tensor crosses (Gloo would abort on mismatched sizes).
  virtual void agree (const std::vector<std::pair<std::string, std::string>> &settings) = 0;
  // Rank 0's `bytes` to every rank (for checkpoints).
  virtual std::string broadcast_bytes (const std::string &key, const std::string &bytes) = 0;
};

}  // namespace pixelrnn
