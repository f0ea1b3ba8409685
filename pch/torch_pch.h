// Precompiled header for translation units that use LibTorch: the heavy, stable headers only.
#pragma once
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
