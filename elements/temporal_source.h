/* TemporalSource: the pixels behind a hole, taken from earlier frames where they were
 * visible (a camera pan, an object or a masked region that moved), so that the model fills
 * only what was never seen. For pixelrnninpaint's `history` property.
 *
 * For each hole (a bounding box of nearby masked pixels) and each remembered frame, newest
 * first, the displacement that best matches the known ring around the hole (mean absolute
 * difference over ring pixels known in both frames) is found by block matching (the result
 * of an exhaustive search, reached from the centre outwards with early give-up): within
 * +-track pixels of what the newer frames predict (their last displacement plus its
 * step, so a steady pan reaches far into older frames), else within +-search pixels. When it
 * matches well (at most `max_difference` levels on average, over at least half the ring),
 * each hole pixel whose displaced position was known
 * in that frame is copied from it, shifted by the ring's mean difference per channel so that
 * a change of exposure leaves no seam. No GStreamer, no LibTorch: packed 8-bit pixels. */
#pragma once

#include "api/hole_windows.h"

#include <cstdint>
#include <cstddef>
#include <deque>
#include <vector>

namespace pixelrnn {

struct TemporalSourceSettings {
  int frames = 8;              /* frames remembered */
  int search = 16;             /* displacements tried: -search..search in x and y */
  int ring = 6;                /* width of the known band around a hole that is matched */
  int track = 3;               /* +-pixels searched around the displacement newer frames predict */
  /* Mean absolute difference (levels) a match may have; chosen on two clips, see
   * docs/elements.md ("Time as a source"). */
  double max_difference = 6;
};

class TemporalSource {
 public:
  explicit TemporalSource (const TemporalSourceSettings &settings = {});

  /* Fills what earlier frames saw of the holes of `mask` (width x height, non-zero = fill) in
   * `pixels` (packed, `channels` per pixel) and clears those pixels in `mask`. Returns how
   * many pixels it filled. */
  int64_t fill (uint8_t *pixels, std::vector<uint8_t> &mask, int width, int height, int channels);

  /* Remembers a frame with its mask: masked pixels are never taken from it (so whether they
   * were filled already makes no difference). Frames of another size or channel count clear
   * the memory. */
  void remember (const uint8_t *pixels, const std::vector<uint8_t> &mask, int width, int height,
      int channels);

  size_t remembered () const { return frames_.size (); }
  int capacity () const { return settings_.frames; }

 private:
  struct Frame {
    std::vector<uint8_t> pixels, mask;
  };
  TemporalSourceSettings settings_;
  int width_ = 0, height_ = 0, channels_ = 0;
  std::deque<Frame> frames_;   /* newest first */
};

}  // namespace pixelrnn
