#include "temporal_source.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace pixelrnn {

TemporalSource::TemporalSource (const TemporalSourceSettings &settings) : settings_ (settings) {}

void
TemporalSource::remember (const uint8_t *pixels, const std::vector<uint8_t> &mask, int width,
    int height, int channels)
{
  if (settings_.frames <= 0)
    return;
  if (width != width_ || height != height_ || channels != channels_) {
    frames_.clear ();
    width_ = width;
    height_ = height;
    channels_ = channels;
  }
  Frame f;
  f.pixels.assign (pixels, pixels + (size_t) width * height * channels);
  f.mask = mask;
  frames_.push_front (std::move (f));
  while ((int) frames_.size () > settings_.frames)
    frames_.pop_back ();
}

namespace {

struct Match {
  int dx = 0, dy = 0;
  double difference = std::numeric_limits<double>::infinity ();
  double offset[4] = {0, 0, 0, 0};   /* current minus reference, per channel, over the ring */
};

/* Mean absolute difference between the ring and the reference displaced by (dx, dy), over
 * ring pixels known in both frames; infinity when fewer than half are. Gives up (infinity)
 * once the partial sum shows the mean must exceed `beaten` by more than a tie's 1e-9: the
 * count is at most the ring's size, so a sum above that times ring x C can only mean more. */
double
ring_difference (const std::vector<int> &ring, const uint8_t *pixels, const std::vector<uint8_t> &ref_pixels,
    const std::vector<uint8_t> &ref_mask, int W, int H, int C, int dx, int dy, double beaten)
{
  const double give_up = (beaten + 1e-9) * (double) ring.size () * C + 1e-6;
  int64_t sum = 0, count = 0;
  for (int p : ring) {
    const int x = p % W + dx, y = p / W + dy;
    if (x < 0 || y < 0 || x >= W || y >= H || ref_mask[(size_t) y * W + x])
      continue;
    const uint8_t *a = pixels + (size_t) p * C, *b = ref_pixels.data () + ((size_t) y * W + x) * C;
    for (int c = 0; c < C; ++c)
      sum += std::abs ((int) a[c] - (int) b[c]);
    ++count;
    if ((double) sum > give_up)
      return std::numeric_limits<double>::infinity ();
  }
  if (count * 2 < (int64_t) ring.size ())
    return std::numeric_limits<double>::infinity ();
  return (double) sum / ((double) count * C);
}

/* The displacement within +-radius of (cx, cy) whose reference pixels best match the ring
 * (mean absolute difference over ring pixels known in both frames, at least half of them).
 * Ties go to the displacement nearest the centre (a still camera stays still), then to the
 * first in raster order. Candidates are tried from the centre outwards, so that a good match
 * is known early and worse candidates are given up part-way; differences are ratios of
 * integers, so a tie is an exact one and the order does not change the result. Only a
 * match within `useful` is of use: worse ones are given up from the start, and none found
 * returns an infinite difference. */
Match
best_match (const std::vector<int> &ring, const uint8_t *pixels, const std::vector<uint8_t> &ref_pixels,
    const std::vector<uint8_t> &ref_mask, int W, int H, int C, int cx, int cy, int radius, double useful)
{
  Match best;
  int best_distance = 0, best_index = 0;
  for (int r = 0; r <= radius; ++r)
    for (int dy = cy - r; dy <= cy + r; ++dy)
      for (int dx = cx - r; dx <= cx + r; ++dx) {
        if (std::max (std::abs (dx - cx), std::abs (dy - cy)) != r)
          continue;   /* inside: an earlier square */
        const double d = ring_difference (ring, pixels, ref_pixels, ref_mask, W, H, C, dx, dy,
            std::min (best.difference, useful));
        if (!(d <= useful + 1e-9))
          continue;
        const int distance = std::abs (dx - cx) + std::abs (dy - cy);
        const int index = (dy - cy + radius) * (2 * radius + 1) + (dx - cx + radius);
        const bool tie = std::fabs (d - best.difference) <= 1e-9;
        if (d < best.difference - 1e-9 || (tie && (distance < best_distance ||
                (distance == best_distance && index < best_index)))) {
          best.difference = d;
          best.dx = dx;
          best.dy = dy;
          best_distance = distance;
          best_index = index;
        }
      }
  return best;
}

}  // namespace

int64_t
TemporalSource::fill (uint8_t *pixels, std::vector<uint8_t> &mask, int width, int height, int channels)
{
  if (frames_.empty () || width != width_ || height != height_ || channels != channels_ ||
      mask.size () != (size_t) width * height)
    return 0;
  const int W = width, H = height, C = channels, S = settings_.search, R = settings_.ring;
  int64_t filled = 0;
  for (const auto &box : hole_boxes (mask, W, H, 0)) {
    /* The ring: known pixels of the current frame within R of the box. */
    std::vector<int> ring;
    for (int y = std::max (0, box.y - R); y < std::min (H, box.bottom () + R); ++y)
      for (int x = std::max (0, box.x - R); x < std::min (W, box.right () + R); ++x)
        if (!mask[(size_t) y * W + x])
          ring.push_back (y * W + x);
    if (ring.empty ())
      continue;
    /* Older frames are searched around the displacement the newer ones predict (the last
     * match plus the step between the last two): a pan of a few pixels a frame takes an
     * older frame far beyond +-search, which is what uncovers a wide hole. */
    bool tracking = false;
    int last_dx = 0, last_dy = 0, step_dx = 0, step_dy = 0;
    for (const auto &ref : frames_) {
      Match best;
      if (tracking)
        best = best_match (ring, pixels, ref.pixels, ref.mask, W, H, C, last_dx + step_dx, last_dy + step_dy,
            settings_.track, settings_.max_difference);
      if (!(best.difference <= settings_.max_difference))
        best = best_match (ring, pixels, ref.pixels, ref.mask, W, H, C, 0, 0, S, settings_.max_difference);
      if (!(best.difference <= settings_.max_difference)) {
        tracking = false;
        continue;
      }
      step_dx = tracking ? best.dx - last_dx : best.dx;
      step_dy = tracking ? best.dy - last_dy : best.dy;
      last_dx = best.dx;
      last_dy = best.dy;
      tracking = true;
      /* Exposure: the ring's mean difference per channel, added to what is copied. */
      double sums[4] = {0, 0, 0, 0};
      int64_t count = 0;
      for (int p : ring) {
        const int x = p % W + best.dx, y = p / W + best.dy;
        if (x < 0 || y < 0 || x >= W || y >= H || ref.mask[(size_t) y * W + x])
          continue;
        for (int c = 0; c < C; ++c)
          sums[c] += (double) pixels[(size_t) p * C + c] - ref.pixels[((size_t) y * W + x) * C + c];
        ++count;
      }
      for (int c = 0; c < C; ++c)
        best.offset[c] = sums[c] / std::max<int64_t> (count, 1);
      int64_t left = 0;
      for (int y = box.y; y < box.bottom (); ++y)
        for (int x = box.x; x < box.right (); ++x) {
          const size_t p = (size_t) y * W + x;
          if (!mask[p])
            continue;
          const int sx = x + best.dx, sy = y + best.dy;
          if (sx < 0 || sy < 0 || sx >= W || sy >= H || ref.mask[(size_t) sy * W + sx]) {
            ++left;
            continue;
          }
          const uint8_t *src = ref.pixels.data () + ((size_t) sy * W + sx) * C;
          for (int c = 0; c < C; ++c)
            pixels[p * C + c] = (uint8_t) std::clamp ((int) std::lround (src[c] + best.offset[c]), 0, 255);
          mask[p] = 0;
          ++filled;
        }
      if (left == 0)
        break;
    }
  }
  return filled;
}

}  // namespace pixelrnn
