#include "model_config.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace pixelrnn {

const char *
architecture_name (Architecture arch)
{
  switch (arch) {
    case Architecture::PixelCNN: return "pixelcnn";
    case Architecture::RowLSTM: return "row-lstm";
    case Architecture::DiagonalBiLSTM: return "diagonal-bilstm";
  }
  return "unknown";
}

Architecture
architecture_from_name (const std::string &name)
{
  for (auto a : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM})
    if (name == architecture_name (a))
      return a;
  throw std::invalid_argument ("unknown architecture '" + name +
      "' (expected pixelcnn, row-lstm or diagonal-bilstm)");
}

const char *
output_name (Output output)
{
  return output == Output::Mixture ? "mixture" : "softmax";
}

Output
output_from_name (const std::string &name)
{
  if (name == "softmax")
    return Output::Softmax;
  if (name == "mixture")
    return Output::Mixture;
  throw std::invalid_argument ("unknown output '" + name + "' (expected softmax or mixture)");
}

const char *
block_name (Block block)
{
  switch (block) {
    case Block::Gated: return "gated";
    case Block::TwoStream: return "two-stream";
    default: return "residual";
  }
}

Block
block_from_name (const std::string &name)
{
  if (name == "residual")
    return Block::Residual;
  if (name == "gated")
    return Block::Gated;
  if (name == "two-stream")
    return Block::TwoStream;
  throw std::invalid_argument ("unknown block '" + name + "' (expected residual, gated or two-stream)");
}

const char *
conditioner_base_name (ConditionerBase base)
{
  switch (base) {
    case ConditionerBase::Axis: return "axis";
    case ConditionerBase::Steered: return "steered";
    default: return "membrane";
  }
}

ConditionerBase
conditioner_base_from_name (const std::string &name)
{
  if (name == "membrane")
    return ConditionerBase::Membrane;
  if (name == "axis")
    return ConditionerBase::Axis;
  if (name == "steered")
    return ConditionerBase::Steered;
  throw std::invalid_argument ("unknown conditioner base '" + name + "' (expected membrane, axis or steered)");
}

int
ModelConfig::params_per_channel () const
{
  return output == Output::Mixture ? mixtures * (3 + channels - 1) : 256;
}

std::string
ModelConfig::validate () const
{
  if (channels != 1 && channels != 3)
    return "channels must be 1 or 3, not " + std::to_string (channels);
  if (hidden < channels || hidden % channels != 0)
    return "hidden (" + std::to_string (hidden) + ") must be a positive multiple of channels ("
        + std::to_string (channels) + ") so that features split into R, G, B groups";
  if (hidden > kMaxHidden)
    return "hidden must be at most " + std::to_string (kMaxHidden);
  if (head_hidden < channels || head_hidden % channels != 0)
    return "head_hidden must be a positive multiple of channels";
  if (head_hidden > kMaxHeadHidden)
    return "head_hidden must be at most " + std::to_string (kMaxHeadHidden);
  if (layers < 0 || layers > 64)
    return "layers must be in 0..64";
  if (input_kernel < 1 || input_kernel % 2 == 0 || input_kernel > 15)
    return "input_kernel must be odd, 1..15";
  if (row_kernel < 1 || row_kernel % 2 == 0 || row_kernel > 15)
    return "row_kernel must be odd, 1..15";
  if (output == Output::Mixture && (mixtures < 1 || mixtures > 32))
    return "mixtures must be in 1..32";
  if (!(dropout >= 0.f && dropout <= 0.9f))
    return "dropout must be in 0..0.9";
  if (conditioner_hidden < 0 || conditioner_hidden > kMaxHidden)
    return "conditioner_hidden must be in 0.." + std::to_string (kMaxHidden);
  if (has_conditioner () && (conditioner_layers < 1 || conditioner_layers > 32))
    return "conditioner_layers must be in 1..32";
  if (has_conditioner () && (conditioner_mixtures < 1 || conditioner_mixtures > 32))
    return "conditioner_mixtures must be in 1..32";
  if (scale < 0 || scale > 8)
    return "scale must be in 0..8";
  if (multi_scale ()) {
    if (has_conditioner ())
      return "a multi-scale model has no inpainting conditioner";
    if (coarse_layers < 0 || coarse_layers > 64)
      return "coarse_layers must be in 0..64";
    if (coarse_hidden < channels || coarse_hidden % channels != 0 || coarse_hidden > kMaxHidden)
      return "coarse_hidden must be a positive multiple of channels, at most " + std::to_string (kMaxHidden);
  }
  return {};
}

ModelConfig
ModelConfig::coarse () const
{
  ModelConfig c = *this;
  c.hidden = coarse_hidden;
  c.layers = coarse_layers;
  c.scale = 0;
  return c;
}

std::string
ModelConfig::to_json () const
{
  nlohmann::json j = {
    {"architecture", architecture_name (architecture)},
    {"channels", channels},
    {"hidden", hidden},
    {"layers", layers},
    {"input_kernel", input_kernel},
    {"row_kernel", row_kernel},
    {"head_hidden", head_hidden},
  };
  // Softmax files keep exactly the fields older releases wrote.
  if (output == Output::Mixture) {
    j["output"] = output_name (output);
    j["mixtures"] = mixtures;
  }
  // Likewise the paper's residual block without dropout.
  if (block != Block::Residual)
    j["block"] = block_name (block);
  if (dropout > 0.f)
    j["dropout"] = dropout;
  if (has_conditioner ()) {
    j["conditioner_hidden"] = conditioner_hidden;
    j["conditioner_layers"] = conditioner_layers;
    j["conditioner_mixtures"] = conditioner_mixtures;
    if (conditioner_base != ConditionerBase::Membrane)
      j["conditioner_base"] = conditioner_base_name (conditioner_base);
  }
  if (multi_scale ()) {
    j["scale"] = scale;
    j["coarse_hidden"] = coarse_hidden;
    j["coarse_layers"] = coarse_layers;
  }
  return j.dump ();
}

ModelConfig
ModelConfig::from_json (const std::string &text)
{
  nlohmann::json j;
  try {
    j = nlohmann::json::parse (text);
  } catch (const nlohmann::json::exception &e) {
    throw std::runtime_error (std::string ("config is not valid JSON: ") + e.what ());
  }
  if (!j.is_object ())
    throw std::runtime_error ("config is not a JSON object");
  ModelConfig c;
  auto get_int = [&] (const char *key, int &out) {
    if (!j.contains (key))
      return;
    if (!j[key].is_number_integer ())
      throw std::runtime_error (std::string ("config field '") + key + "' is not an integer");
    const int64_t v = j[key].get<int64_t> ();
    if (v < -1000000 || v > 1000000)
      throw std::runtime_error (std::string ("config field '") + key + "' is out of range (" +
          std::to_string (v) + ")");
    out = static_cast<int> (v);
  };
  if (!j.contains ("architecture") || !j["architecture"].is_string ())
    throw std::runtime_error ("config has no 'architecture' string");
  c.architecture = architecture_from_name (j["architecture"].get<std::string> ());
  get_int ("channels", c.channels);
  get_int ("hidden", c.hidden);
  get_int ("layers", c.layers);
  get_int ("input_kernel", c.input_kernel);
  get_int ("row_kernel", c.row_kernel);
  get_int ("head_hidden", c.head_hidden);
  if (j.contains ("output")) {
    if (!j["output"].is_string ())
      throw std::runtime_error ("config field 'output' is not a string");
    c.output = output_from_name (j["output"].get<std::string> ());
  }
  get_int ("mixtures", c.mixtures);
  if (j.contains ("block")) {
    if (!j["block"].is_string ())
      throw std::runtime_error ("config field 'block' is not a string");
    c.block = block_from_name (j["block"].get<std::string> ());
  }
  if (j.contains ("dropout")) {
    if (!j["dropout"].is_number ())
      throw std::runtime_error ("config field 'dropout' is not a number");
    c.dropout = j["dropout"].get<float> ();
  }
  get_int ("conditioner_hidden", c.conditioner_hidden);
  get_int ("conditioner_layers", c.conditioner_layers);
  get_int ("conditioner_mixtures", c.conditioner_mixtures);
  if (j.contains ("conditioner_base")) {
    if (!j["conditioner_base"].is_string ())
      throw std::runtime_error ("config field 'conditioner_base' is not a string");
    c.conditioner_base = conditioner_base_from_name (j["conditioner_base"].get<std::string> ());
  }
  get_int ("scale", c.scale);
  get_int ("coarse_hidden", c.coarse_hidden);
  get_int ("coarse_layers", c.coarse_layers);
  std::string err = c.validate ();
  if (!err.empty ())
    throw std::runtime_error ("invalid config: " + err);
  return c;
}

std::string
ModelConfig::summary () const
{
  std::ostringstream s;
  s << architecture_name (architecture) << ", " << channels << " channel(s), h=" << hidden
    << ", " << layers << " layers, input kernel " << input_kernel << "x" << input_kernel;
  if (architecture == Architecture::RowLSTM)
    s << ", row kernel 1x" << row_kernel;
  if (architecture == Architecture::PixelCNN && block == Block::Gated)
    s << ", gated blocks";
  if (architecture == Architecture::PixelCNN && block == Block::TwoStream)
    s << ", two-stream gated blocks";
  if (dropout > 0.f)
    s << ", dropout " << dropout;
  s << ", head " << head_hidden;
  if (output == Output::Mixture)
    s << ", " << mixtures << " logistic mixtures";
  else
    s << ", 256-way softmax";
  if (has_conditioner ())
    s << "; inpainting conditioner " << conditioner_hidden << " features x " << conditioner_layers
      << " layers, " << conditioner_mixtures << " mixtures, from the "
      << conditioner_base_name (conditioner_base) << " fill";
  if (multi_scale ())
    s << "; multi-scale: every " << scale << "th row and column by a coarse model (h="
      << coarse_hidden << ", " << coarse_layers << " layers), the rest conditioned on them";
  return s.str ();
}

}  // namespace pixelrnn
