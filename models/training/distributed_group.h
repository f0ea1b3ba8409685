// Data-parallel training across processes and machines on PyTorch's own engine: c10d's
// ProcessGroupGloo over a TCPStore, as torchrun users know it. Only distributed_group.cpp
// includes the c10d headers (they are heavy and need Gloo's); the training run sees this.
#pragma once

#include "api/distributed_settings.h"

#include <chrono>
#include <memory>
#include <string>
#include <torch/types.h>
#include <utility>
#include <vector>

namespace pixelrnn {

class DistributedGroup {
 public:
  // Joins the group: rank 0 serves the TCPStore at master_addr:master_port, the others
  // connect to it. Throws std::runtime_error naming the master when it cannot be reached
  // within the timeout.
  explicit DistributedGroup (const DistributedSettings &settings);
  ~DistributedGroup ();
  DistributedGroup (const DistributedGroup &) = delete;
  DistributedGroup &operator= (const DistributedGroup &) = delete;

  int rank () const;
  int world_size () const;
  // Sums `flat` (a contiguous CPU tensor) over the ranks, in place. Throws
  // std::runtime_error when another rank is gone (closed connection or timeout).
  void all_reduce_sum (torch::Tensor &flat);
  // Rank 0's values of `tensor` to every rank, in place.
  void broadcast (torch::Tensor &tensor);
  // Every rank's `settings` (name, value) must equal rank 0's. Rank 0 publishes its own
  // through the store, every other rank compares and answers, rank 0 decides for all: on any
  // difference every rank throws std::runtime_error with one line naming the rank, the
  // setting and both values, before a tensor crosses (Gloo would abort on mismatched sizes).
  void agree (const std::vector<std::pair<std::string, std::string>> &settings);
  // Rank 0's `bytes` to every rank (through the store; for checkpoints).
  std::string broadcast_bytes (const std::string &key, const std::string &bytes);

 private:
  void agree_on_world_size (std::chrono::milliseconds timeout);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pixelrnn
