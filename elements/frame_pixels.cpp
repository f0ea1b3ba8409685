#include "frame_pixels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace pixelrnn {

void
analysis_size (int frame_w, int frame_h, int want_w, int want_h, int auto_pixels, int &w, int &h)
{
  w = want_w;
  h = want_h;
  if (w <= 0 || h <= 0) {
    /* Keep the frame's aspect ratio; never upscale. */
    const double s = std::sqrt ((double) auto_pixels / ((double) frame_w * frame_h));
    if (w <= 0)
      w = (int) std::lround (frame_w * std::min (1.0, h > 0 ? (double) h / frame_h : s));
    if (h <= 0)
      h = (int) std::lround (frame_h * std::min (1.0, (double) w / frame_w));
  }
  w = std::clamp (w, 1, frame_w);
  h = std::clamp (h, 1, frame_h);
}

const char *
formats_for_channels (int channels)
{
  return channels == 1 ? "GRAY8" : "RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR";
}

bool
format_fits_channels (GstVideoFormat format, int channels)
{
  if (channels == 1)
    return format == GST_VIDEO_FORMAT_GRAY8;
  switch (format) {
    case GST_VIDEO_FORMAT_RGB: case GST_VIDEO_FORMAT_BGR: case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_BGRx: case GST_VIDEO_FORMAT_xRGB: case GST_VIDEO_FORMAT_xBGR:
    case GST_VIDEO_FORMAT_RGBA: case GST_VIDEO_FORMAT_BGRA: case GST_VIDEO_FORMAT_ARGB:
    case GST_VIDEO_FORMAT_ABGR:
      return true;
    default:
      return false;
  }
}

GstCaps *
caps_for_channels (int channels)
{
  const char *formats = channels == 1 ? "GRAY8" : channels == 3 ?
      "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR }" : PIXELRNN_VIDEO_FORMATS;
  gchar *text = g_strdup_printf ("video/x-raw, format=(string)%s, width=(int)[1, MAX], "
      "height=(int)[1, MAX], framerate=(fraction)[0/1, MAX]", formats);
  GstCaps *caps = gst_caps_from_string (text);
  g_free (text);
  return caps;
}

namespace {

/* Where each model channel lives in a pixel of the frame's (single, packed) plane. */
struct Layout {
  guint8 *data;
  int stride, pixel_stride;
  int offset[3];
  int alpha = -1;
};

Layout
layout_of (const GstVideoFrame *frame, int channels)
{
  Layout l;
  l.data = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  l.stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  l.pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  for (int c = 0; c < channels; ++c)
    l.offset[c] = GST_VIDEO_FRAME_COMP_POFFSET (frame, c);
  if (GST_VIDEO_INFO_HAS_ALPHA (&frame->info))
    l.alpha = GST_VIDEO_FRAME_COMP_POFFSET (frame, GST_VIDEO_COMP_A);
  return l;
}

}  // namespace

void
read_region (const GstVideoFrame *frame, int x, int y, int w, int h, int channels, uint8_t *out)
{
  const Layout l = layout_of (frame, channels);
  for (int r = 0; r < h; ++r) {
    const guint8 *row = l.data + (size_t) (y + r) * l.stride + (size_t) x * l.pixel_stride;
    for (int q = 0; q < w; ++q, row += l.pixel_stride)
      for (int c = 0; c < channels; ++c)
        *out++ = row[l.offset[c]];
  }
}

void
write_masked (GstVideoFrame *frame, int x, int y, int w, int h, int channels,
    const uint8_t *pixels, const uint8_t *mask)
{
  const Layout l = layout_of (frame, channels);
  for (int r = 0; r < h; ++r) {
    guint8 *row = l.data + (size_t) (y + r) * l.stride + (size_t) x * l.pixel_stride;
    for (int q = 0; q < w; ++q, row += l.pixel_stride) {
      const size_t k = (size_t) r * w + q;
      if (!mask[k])
        continue;
      for (int c = 0; c < channels; ++c)
        row[l.offset[c]] = pixels[k * channels + c];
      if (l.alpha >= 0)
        row[l.alpha] = 255;
    }
  }
}

void
read_scaled (const GstVideoFrame *frame, int w, int h, int channels, uint8_t *out)
{
  const Layout l = layout_of (frame, channels);
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  for (int r = 0; r < h; ++r) {
    const int y0 = (int) ((int64_t) r * H / h), y1 = std::max (y0 + 1, (int) ((int64_t) (r + 1) * H / h));
    for (int q = 0; q < w; ++q) {
      const int x0 = (int) ((int64_t) q * W / w), x1 = std::max (x0 + 1, (int) ((int64_t) (q + 1) * W / w));
      for (int c = 0; c < channels; ++c) {
        uint32_t total = 0;
        for (int y = y0; y < y1; ++y) {
          const guint8 *p = l.data + (size_t) y * l.stride + (size_t) x0 * l.pixel_stride + l.offset[c];
          for (int x = x0; x < x1; ++x, p += l.pixel_stride)
            total += *p;
        }
        const uint32_t n = (uint32_t) (y1 - y0) * (x1 - x0);
        *out++ = (uint8_t) ((total + n / 2) / n);
      }
    }
  }
}

bool
alpha_holes (const GstVideoFrame *frame, std::vector<uint8_t> &mask)
{
  if (!GST_VIDEO_INFO_HAS_ALPHA (&frame->info))
    return false;
  const Layout l = layout_of (frame, 1);
  if (l.alpha < 0)
    return false;
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  mask.resize ((size_t) W * H, 0);
  for (int y = 0; y < H; ++y) {
    const guint8 *p = l.data + (size_t) y * l.stride + l.alpha;
    for (int x = 0; x < W; ++x, p += l.pixel_stride)
      if (*p == 0)
        mask[(size_t) y * W + x] = 1;
  }
  return true;
}

}  // namespace pixelrnn

namespace pixelrnn {

void
blend_heatmap (GstVideoFrame *frame, const float *bits, int mw, int mh, int channels,
    float max_bits)
{
  const Layout l = layout_of (frame, channels);
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  for (int y = 0; y < H; ++y) {
    const float *map_row = bits + (size_t) ((int64_t) y * mh / H) * mw;
    guint8 *p = l.data + (size_t) y * l.stride;
    for (int x = 0; x < W; ++x, p += l.pixel_stride) {
      const float t = std::clamp (map_row[(int64_t) x * mw / W] / max_bits, 0.f, 1.f);
      if (channels == 1) {
        p[l.offset[0]] = (guint8) ((p[l.offset[0]] + 255.f * t) / 2.f + 0.5f);
        continue;
      }
      const float heat[3] = {255.f * t, 0.f, 255.f * (1.f - t)};
      for (int c = 0; c < 3; ++c)
        p[l.offset[c]] = (guint8) ((p[l.offset[c]] + heat[c]) / 2.f + 0.5f);
    }
  }
}

bool
repeats_previous (const GstVideoFrame *frame, std::vector<uint8_t> &previous)
{
  /* Packed formats only (plane 0): the visible bytes of each row, without stride padding. */
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  const size_t row = (size_t) W * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  const auto *data = static_cast<const uint8_t *> (GST_VIDEO_FRAME_PLANE_DATA (frame, 0));
  bool same = previous.size () == row * H;
  for (int y = 0; same && y < H; ++y)
    same = std::memcmp (data + (size_t) y * stride, previous.data () + row * y, row) == 0;
  if (!same) {
    previous.resize (row * H);
    for (int y = 0; y < H; ++y)
      std::memcpy (previous.data () + row * y, data + (size_t) y * stride, row);
  }
  return same;
}

}  // namespace pixelrnn
