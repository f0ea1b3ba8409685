#include "hole_windows.h"

#include <algorithm>

namespace pixelrnn {

bool
clip_rect (const Rect &r, int width, int height, Rect &clipped)
{
  /* 64-bit ends: x + w may overflow int (rect=<1,1,2147483647,2>). */
  const int64_t x0 = std::max<int64_t> (0, r.x), y0 = std::max<int64_t> (0, r.y);
  const int64_t x1 = std::min<int64_t> (width, (int64_t) r.x + r.w);
  const int64_t y1 = std::min<int64_t> (height, (int64_t) r.y + r.h);
  if (x0 >= x1 || y0 >= y1)
    return false;
  clipped = {(int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0)};
  return true;
}

bool
mark_rect (std::vector<uint8_t> &mask, int width, int height, const Rect &r)
{
  Rect c;
  if (mask.size () != (size_t) width * height || !clip_rect (r, width, height, c))
    return false;
  for (int y = c.y; y < c.bottom (); ++y)
    std::fill_n (mask.begin () + (size_t) y * width + c.x, c.w, 1);
  return true;
}

static bool
windows_touch (const Rect &a, const Rect &b, int context)
{
  return a.x - context < b.right () + context && b.x - context < a.right () + context &&
      a.y - context < b.bottom () + context && b.y - context < a.bottom () + context;
}

std::vector<Rect>
hole_boxes (const std::vector<uint8_t> &mask, int width, int height, int context)
{
  std::vector<Rect> boxes;
  std::vector<uint8_t> seen (mask.size (), 0);
  std::vector<int> stack;
  for (int start = 0; start < width * height; ++start) {
    if (!mask[start] || seen[start])
      continue;
    int x0 = width, y0 = height, x1 = -1, y1 = -1;
    stack.assign (1, start);
    seen[start] = 1;
    while (!stack.empty ()) {
      const int p = stack.back ();
      stack.pop_back ();
      const int x = p % width, y = p / width;
      x0 = std::min (x0, x);
      x1 = std::max (x1, x);
      y0 = std::min (y0, y);
      y1 = std::max (y1, y);
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height)
            continue;
          const int q = ny * width + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack.push_back (q);
          }
        }
    }
    boxes.push_back ({x0, y0, x1 - x0 + 1, y1 - y0 + 1});
  }
  // Merge until no two windows overlap: one window per group of nearby holes.
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 0; i < boxes.size () && !merged; ++i)
      for (size_t j = i + 1; j < boxes.size () && !merged; ++j)
        if (windows_touch (boxes[i], boxes[j], context)) {
          const int x0 = std::min (boxes[i].x, boxes[j].x), y0 = std::min (boxes[i].y, boxes[j].y);
          const int x1 = std::max (boxes[i].right (), boxes[j].right ());
          const int y1 = std::max (boxes[i].bottom (), boxes[j].bottom ());
          boxes[i] = {x0, y0, x1 - x0, y1 - y0};
          boxes.erase (boxes.begin () + j);
          merged = true;
        }
  }
  std::sort (boxes.begin (), boxes.end (), [] (const Rect &a, const Rect &b) {
    return a.y != b.y ? a.y < b.y : a.x < b.x;
  });
  return boxes;
}

Rect
fill_window (const Rect &box, int width, int height, int context, int below)
{
  const int x0 = std::max (0, box.x - context), y0 = std::max (0, box.y - context);
  const int x1 = std::min (width, box.right () + context);
  const int y1 = std::min (height, box.bottom () + below);
  return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<uint8_t>
scale_mask (const std::vector<uint8_t> &mask, int w, int h, int to_w, int to_h)
{
  std::vector<uint8_t> out ((size_t) to_w * to_h);
  for (int y = 0; y < to_h; ++y)
    for (int x = 0; x < to_w; ++x)
      out[(size_t) y * to_w + x] = mask[(size_t) ((int64_t) y * h / to_h) * w + (int64_t) x * w / to_w];
  return out;
}

}  // namespace pixelrnn
