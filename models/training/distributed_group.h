// Data-parallel training across processes and machines on PyTorch's own engine: c10d's
// ProcessGroupGloo over a TCPStore, as torchrun users know it. Only distributed_group.cpp
// includes the c10d headers (they are heavy and need Gloo's); the training run sees the
// RankGroup interface it implements.
#pragma once

#include "api/distributed_settings.h"
#include "training/rank_group.h"

#include <chrono>
#include <memory>
#include <string>

namespace pixelrnn {

class DistributedGroup final : public RankGroup {
 public:
  // Joins the group: rank 0 serves the TCPStore at master_addr:master_port, the others
  // connect to it. Throws std::runtime_error naming the master when it cannot be reached
  // within the timeout.
  explicit DistributedGroup (const DistributedSettings &settings);
  ~DistributedGroup ();
  DistributedGroup (const DistributedGroup &) = delete;
  DistributedGroup &operator= (const DistributedGroup &) = delete;

  int rank () const override;
  int world_size () const override;
  void all_reduce_sum (torch::Tensor &flat) override;
  void broadcast (torch::Tensor &tensor) override;
  // Rank 0 publishes its settings through the store, every other rank compares and answers,
  // rank 0 decides for all.
  void agree (const std::vector<std::pair<std::string, std::string>> &settings) override;
  // Through the store.
  std::string broadcast_bytes (const std::string &key, const std::string &bytes) override;

 private:
  void agree_on_world_size (std::chrono::milliseconds timeout);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pixelrnn
