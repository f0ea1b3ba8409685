// Decoding images and video frames with GStreamer's own decoders
// (uridecodebin ! videoconvert ! appsink). No LibTorch here.
#pragma once

#include "api/image.h"

#include <string>
#include <vector>

namespace pixelrnn {

struct DecodeOptions {
  int channels = 3;      // 1: GRAY8, 3: RGB
  int every = 1;         // keep every Nth frame
  int max_frames = 0;    // 0 = all
  bool strict = false;   // a decoder warning (truncated or corrupt data) is an error
};

// Throws ImageError naming `source` when GStreamer's discoverer finds no video stream in it
// (an audio-only file: "has no video stream (found audio/x-raw)") or cannot read it at all.
// `uri` is what source resolves to.
void require_video_stream (const std::string &source, const std::string &uri);

// `source` is a file path or a URI. Throws ImageError naming the source and GStreamer's
// reason when it cannot be opened or decoded, or yields no frame.
std::vector<Image> decode_frames (const std::string &source, const DecodeOptions &options);

}  // namespace pixelrnn
