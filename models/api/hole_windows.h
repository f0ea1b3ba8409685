/* Where to fill: the holes of a mask grouped into windows, so that the cost of inpainting
 * follows the holes, not the image. One code path for the elements and the command line.
 * No GStreamer, no LibTorch. */
#pragma once

#include <cstdint>
#include <vector>

namespace pixelrnn {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  int right () const { return x + w; }
  int bottom () const { return y + h; }
};

/* `r` cut to the width x height frame; false when nothing of it is inside. Safe for any
 * int values (ends are computed in 64 bits). */
bool clip_rect (const Rect &r, int width, int height, Rect &clipped);

/* Sets mask pixels (width x height) inside `r`, clipped to the frame; false when `r` does
 * not touch the frame. */
bool mark_rect (std::vector<uint8_t> &mask, int width, int height, const Rect &r);

/* Bounding boxes of the mask's 8-connected holes, merged while their windows (each box
 * widened by `context` on every side) overlap. Sorted top to bottom. */
std::vector<Rect> hole_boxes (const std::vector<uint8_t> &mask, int width, int height, int context);

/* The window the model sees for a box: `context` pixels left, right and above (what a
 * raster-order model conditions on) and `below` rows under it (for rescoring), clipped. */
Rect fill_window (const Rect &box, int width, int height, int context, int below);

/* Nearest-neighbour resize of a mask (for mask-scale). */
std::vector<uint8_t> scale_mask (const std::vector<uint8_t> &mask, int w, int h, int to_w, int to_h);

}  // namespace pixelrnn
