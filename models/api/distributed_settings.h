// Where a distributed training's ranks meet: settings from flags or torchrun's variables.
// No LibTorch here (the group itself is training/distributed_group.h).
#pragma once

#include <climits>
#include <string>

namespace pixelrnn {

struct DistributedSettings {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int timeout_seconds = 120;   // connecting, and any one collective operation
  bool enabled () const { return world_size > 1; }
};

// A numeric flag not given on the command line (so that --rank -1 is refused, not unset).
constexpr int kUnsetOption = INT_MIN;

// Flags win over the variables torchrun sets (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT);
// a flag left at kUnsetOption (addr empty) reads the variable. Throws std::invalid_argument
// naming the bad value.
DistributedSettings resolve_distributed_settings (int world_size, int rank, const std::string &addr,
    int port, int timeout_seconds);

}  // namespace pixelrnn
