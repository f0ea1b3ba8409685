#include "fill_settings.h"

#include <stdexcept>

namespace pixelrnn {

const char *
fill_mode_name (FillMode mode)
{
  switch (mode) {
    case FillMode::Sample: return "sample";
    case FillMode::Greedy: return "greedy";
    case FillMode::BestOf: return "best-of";
    case FillMode::Mean: return "mean";
    case FillMode::Direct: return "direct";
    case FillMode::Auto: return "auto";
  }
  return "unknown";
}

FillMode
fill_mode_from_name (const std::string &name)
{
  for (auto m : {FillMode::Sample, FillMode::Greedy, FillMode::BestOf, FillMode::Mean, FillMode::Direct,
           FillMode::Auto})
    if (name == fill_mode_name (m))
      return m;
  throw std::invalid_argument ("unknown fill mode '" + name +
      "' (expected auto, direct, mean, greedy, sample or best-of)");
}

FillMode
resolve_fill_mode (FillMode mode, bool has_conditioner)
{
  if (mode != FillMode::Auto)
    return mode;
  return has_conditioner ? FillMode::Direct : FillMode::Greedy;
}

int
fill_rows_below (FillMode mode, bool has_conditioner, int context)
{
  mode = resolve_fill_mode (mode, has_conditioner);
  return has_conditioner || mode == FillMode::BestOf || mode == FillMode::Direct ? (context > 0 ? context : 0) : 0;
}

}  // namespace pixelrnn
