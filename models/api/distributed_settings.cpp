#include "api/distributed_settings.h"

#include <cstdlib>
#include <stdexcept>

namespace pixelrnn {

namespace {

int
env_int (const char *name, int fallback)
{
  const char *v = std::getenv (name);
  if (!v || !*v)
    return fallback;
  char *end = nullptr;
  const long n = std::strtol (v, &end, 10);
  if (*end || n < 0 || n > 1 << 20)
    throw std::invalid_argument (std::string ("environment variable ") + name + "='" + v +
        "' is not a valid number");
  return (int) n;
}

}  // namespace

DistributedSettings
resolve_distributed_settings (int world_size, int rank, const std::string &addr, int port,
    int timeout_seconds)
{
  DistributedSettings s;
  s.world_size = world_size != kUnsetOption ? world_size : env_int ("WORLD_SIZE", 1);
  s.rank = rank != kUnsetOption ? rank : env_int ("RANK", 0);
  const char *env_addr = std::getenv ("MASTER_ADDR");
  s.master_addr = !addr.empty () ? addr : env_addr && *env_addr ? env_addr : "127.0.0.1";
  s.master_port = port != kUnsetOption ? port : env_int ("MASTER_PORT", 29500);
  s.timeout_seconds = timeout_seconds;
  if (s.world_size < 1)
    throw std::invalid_argument ("world size must be at least 1");
  if (s.rank < 0 || s.rank >= s.world_size)
    throw std::invalid_argument ("rank " + std::to_string (s.rank) + " is outside 0.." +
        std::to_string (s.world_size - 1) + " for a world size of " + std::to_string (s.world_size));
  if (s.master_port < 1 || s.master_port > 65535)
    throw std::invalid_argument ("master port " + std::to_string (s.master_port) + " is not a TCP port");
  if (s.timeout_seconds < 1)
    throw std::invalid_argument ("the distributed timeout must be at least one second");
  return s;
}

}  // namespace pixelrnn
