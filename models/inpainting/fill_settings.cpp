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
  }
  return "unknown";
}

FillMode
fill_mode_from_name (const std::string &name)
{
  for (auto m : {FillMode::Sample, FillMode::Greedy, FillMode::BestOf, FillMode::Mean, FillMode::Direct})
    if (name == fill_mode_name (m))
      return m;
  throw std::invalid_argument ("unknown fill mode '" + name +
      "' (expected sample, greedy, best-of, mean or direct)");
}

int
fill_rows_below (FillMode mode, bool has_conditioner, int context)
{
  return has_conditioner || mode == FillMode::BestOf || mode == FillMode::Direct ? (context > 0 ? context : 0) : 0;
}

}  // namespace pixelrnn
