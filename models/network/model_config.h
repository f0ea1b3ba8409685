// ModelConfig: everything needed to build one PixelRNN-family model. No LibTorch here, so
// elements and tools can read a config without the heavy headers.
#pragma once

#include <string>

namespace pixelrnn {

enum class Architecture { PixelCNN, RowLSTM, DiagonalBiLSTM };

// What the head predicts for each sub-pixel: the paper's 256-way softmax, or a discretized
// logistic mixture (PixelCNN++; logistic_mixture.h).
enum class Output { Softmax, Mixture };

const char *architecture_name (Architecture arch);
// Parses "pixelcnn", "row-lstm", "diagonal-bilstm"; throws std::invalid_argument otherwise.
Architecture architecture_from_name (const std::string &name);
const char *output_name (Output output);

// Parses "softmax", "mixture"; throws std::invalid_argument otherwise.
Output output_from_name (const std::string &name);

// PixelCNN's residual block: the paper's (ReLU, 1x1, 3x3, 1x1), or a gated one whose 3x3 makes
// pairs (a, b) and passes a * sigmoid(b) on (PixelCNN++ section 2.4's gated ResNet), or the
// two-stream gated block (a vertical and a horizontal stream: no blind spot;
// network/two_stream_block.h).
enum class Block { Residual, Gated, TwoStream };
const char *block_name (Block block);
// Parses "residual", "gated", "two-stream"; throws std::invalid_argument otherwise.
Block block_from_name (const std::string &name);

// Where the inpainting conditioner's means start (conditioner.h): the membrane (harmonic)
// fill of the hole, the axis fill beside it (axis_fill.h; the network reads both), or the
// axis fill turned along the edges around the hole beside it (steered_fill.h).
enum class ConditionerBase { Membrane, Axis, Steered };
const char *conditioner_base_name (ConditionerBase base);
// Parses "membrane", "axis", "steered"; throws std::invalid_argument otherwise.
ConditionerBase conditioner_base_from_name (const std::string &name);

// Bounds that keep a config from asking for absurd memory: a model file is outside input.
constexpr int kMaxHidden = 1024;
constexpr int kMaxHeadHidden = 4096;

struct ModelConfig {
  Architecture architecture = Architecture::PixelCNN;
  int channels = 1;        // 1 (gray) or 3 (R, G, B predicted in that order)
  int hidden = 32;         // h: LSTM units / conv features; layer maps carry 2h features
  int layers = 4;          // residual blocks (PixelCNN) or recurrent layers
  int input_kernel = 7;    // first layer: input_kernel x input_kernel conv, mask A
  int row_kernel = 3;      // Row LSTM: width of the input-to-state and state-to-state convs
  int head_hidden = 64;    // features of the 1x1 output head before the output layer
  Output output = Output::Softmax;
  int mixtures = 5;        // logistic components per sub-pixel (Output::Mixture only)
  Block block = Block::Residual;  // PixelCNN only
  float dropout = 0.f;     // PixelCNN blocks, training only: dropout before the 3x3 conv
  // Inpainting conditioner (network/conditioner.h): an unmasked network that reads the
  // whole surround of a hole; 0 features = none. Its own logistic mixture per sub-pixel.
  int conditioner_hidden = 0;
  int conditioner_layers = 8;
  int conditioner_mixtures = 3;
  // Files written before the axis fill have no such field: membrane.
  ConditionerBase conditioner_base = ConditionerBase::Membrane;

  // Multi-scale (van den Oord et al. 2016, section 3.5; network/pixel_model.h): with
  // scale = f > 1 the image subsampled every f-th row and column (its top-left pixels) is
  // modelled by a coarse model of the same architecture (coarse_hidden, coarse_layers), and
  // every other pixel by this model conditioned on the whole subsampled image. 0: one scale.
  int scale = 0;
  int coarse_hidden = 32;
  int coarse_layers = 2;

  bool has_conditioner () const { return conditioner_hidden > 0; }
  bool multi_scale () const { return scale > 1; }
  // The coarse model's settings (multi-scale models only).
  ModelConfig coarse () const;

  // Head outputs per sub-pixel: 256 logits, or the mixture's parameters.
  int params_per_channel () const;

  // Empty when the config can build a model, else what is wrong with it.
  std::string validate () const;
  std::string to_json () const;
  // Throws std::runtime_error naming the bad field.
  static ModelConfig from_json (const std::string &text);
  std::string summary () const;
};

}  // namespace pixelrnn
