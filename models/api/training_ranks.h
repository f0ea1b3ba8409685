// Joining the ranks of a data-parallel training (c10d's ProcessGroupGloo over a TCPStore, as
// torchrun users know it). Defined in the pixelrnn-training library, which only `pixelrnn
// train` links: the plugin's training (pixelrnntrain) runs in one process. No LibTorch here.
#pragma once

#include "api/distributed_settings.h"

#include <memory>

namespace pixelrnn {

class RankGroup;   // training/rank_group.h

// Joins: rank 0 serves the store at master_addr:master_port, the others connect, and the
// ranks compare their world sizes. Prints "rank R of N joined at ADDR:PORT". Throws
// std::runtime_error naming the master when it cannot be reached within the timeout.
std::shared_ptr<RankGroup> join_training_ranks (const DistributedSettings &settings);

}  // namespace pixelrnn
