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
  return channels == 1 ? "GRAY8, I420, YV12, NV12, NV21"
                       : "RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21";
}

bool
is_yuv420 (GstVideoFormat format)
{
  return format == GST_VIDEO_FORMAT_I420 || format == GST_VIDEO_FORMAT_YV12 ||
      format == GST_VIDEO_FORMAT_NV12 || format == GST_VIDEO_FORMAT_NV21;
}

bool
format_fits_channels (GstVideoFormat format, int channels)
{
  if (is_yuv420 (format))
    return channels == 1 || channels == 3;
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
  const char *formats = channels == 1 ? "{ GRAY8, I420, YV12, NV12, NV21 }" : channels == 3 ?
      "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21 }" :
      PIXELRNN_VIDEO_FORMATS;
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

/* A 4:2:0 frame (I420, YV12, NV12, NV21) read and written as the model's channels: RGB
 * through the frame's own colorimetry (matrix and range, GStreamer's defaults when the caps
 * leave them out), or gray as luma stretched to 0-255. Each chroma sample covers a 2x2 block. */
struct Yuv {
  const GstVideoFrame *frame;
  guint8 *plane[3];
  int stride[3], pixel_stride[3];
  float kr, kb, offset[3], scale[3];

  explicit Yuv (const GstVideoFrame *f) : frame (f)
  {
    for (int c = 0; c < 3; ++c) {
      plane[c] = (guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c);
      stride[c] = GST_VIDEO_FRAME_COMP_STRIDE (f, c);
      pixel_stride[c] = GST_VIDEO_FRAME_COMP_PSTRIDE (f, c);
    }
    gdouble Kr = 0.299, Kb = 0.114;
    if (!gst_video_color_matrix_get_Kr_Kb (f->info.colorimetry.matrix, &Kr, &Kb)) {
      Kr = 0.299;    /* unknown matrix: BT.601, what GStreamer assumes for SD */
      Kb = 0.114;
    }
    kr = (float) Kr;
    kb = (float) Kb;
    gint off[GST_VIDEO_MAX_COMPONENTS], sc[GST_VIDEO_MAX_COMPONENTS];
    gst_video_color_range_offsets (f->info.colorimetry.range, f->info.finfo, off, sc);
    for (int c = 0; c < 3; ++c) {
      offset[c] = (float) off[c];
      scale[c] = (float) sc[c];
    }
  }
  guint8 &luma (int x, int y) const { return plane[0][(size_t) y * stride[0] + (size_t) x * pixel_stride[0]]; }
  guint8 &chroma (int c, int cx, int cy) const
  { return plane[c][(size_t) cy * stride[c] + (size_t) cx * pixel_stride[c]]; }

  static guint8 byte (float v) { return (guint8) std::clamp (v + 0.5f, 0.f, 255.f); }

  /* Pixel (x, y) as `channels` values 0-255. */
  void read (int x, int y, int channels, uint8_t *out) const
  {
    const float Y = (luma (x, y) - offset[0]) / scale[0];
    if (channels == 1) {
      out[0] = byte (255.f * Y);
      return;
    }
    const float cb = (chroma (1, x / 2, y / 2) - offset[1]) / scale[1];
    const float cr = (chroma (2, x / 2, y / 2) - offset[2]) / scale[2];
    const float r = Y + 2.f * (1.f - kr) * cr, b = Y + 2.f * (1.f - kb) * cb;
    const float g = (Y - kr * r - kb * b) / (1.f - kr - kb);
    out[0] = byte (255.f * r);
    out[1] = byte (255.f * g);
    out[2] = byte (255.f * b);
  }

  /* Luma, Cb and Cr (Cb, Cr centred on 0) of `channels` values 0-255; gray has no colour. */
  void to_ycc (const uint8_t *v, int channels, float &Y, float &cb, float &cr) const
  {
    if (channels == 1) {
      Y = v[0] / 255.f;
      cb = cr = 0.f;
      return;
    }
    const float r = v[0] / 255.f, g = v[1] / 255.f, b = v[2] / 255.f;
    Y = kr * r + (1.f - kr - kb) * g + kb * b;
    cb = (b - Y) / (2.f * (1.f - kb));
    cr = (r - Y) / (2.f * (1.f - kr));
  }

  /* Writes the pixels of the rectangle where `mask` is set: their luma exactly, and each
   * chroma sample whose 2x2 block holds any of them as the block's mean, counting the
   * block's other pixels at the colour they had (the sample they shared). */
  void write (int x, int y, int w, int h, int channels, const uint8_t *pixels, const uint8_t *mask) const
  {
    const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
    for (int cy = y / 2; cy <= (y + h - 1) / 2; ++cy)
      for (int cx = x / 2; cx <= (x + w - 1) / 2; ++cx) {
        float sum_cb = 0, sum_cr = 0;
        int filled = 0, kept = 0;
        for (int py = 2 * cy; py < std::min (2 * cy + 2, H); ++py)
          for (int px = 2 * cx; px < std::min (2 * cx + 2, W); ++px) {
            const bool inside = px >= x && px < x + w && py >= y && py < y + h;
            const size_t k = inside ? (size_t) (py - y) * w + (px - x) : 0;
            if (!inside || !mask[k]) {
              ++kept;
              continue;
            }
            float Y, cb, cr;
            to_ycc (pixels + k * channels, channels, Y, cb, cr);
            luma (px, py) = byte (offset[0] + scale[0] * Y);
            sum_cb += cb;
            sum_cr += cr;
            ++filled;
          }
        if (filled == 0)
          continue;
        guint8 &u = chroma (1, cx, cy), &v = chroma (2, cx, cy);
        const float old_cb = (u - offset[1]) / scale[1], old_cr = (v - offset[2]) / scale[2];
        const int n = filled + kept;
        u = byte (offset[1] + scale[1] * (sum_cb + kept * old_cb) / n);
        v = byte (offset[2] + scale[2] * (sum_cr + kept * old_cr) / n);
      }
  }
};

}  // namespace

void
read_region (const GstVideoFrame *frame, int x, int y, int w, int h, int channels, uint8_t *out)
{
  if (is_yuv420 (GST_VIDEO_FRAME_FORMAT (frame))) {
    const Yuv yuv (frame);
    for (int r = 0; r < h; ++r)
      for (int q = 0; q < w; ++q, out += channels)
        yuv.read (x + q, y + r, channels, out);
    return;
  }
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
  if (is_yuv420 (GST_VIDEO_FRAME_FORMAT (frame))) {
    Yuv (frame).write (x, y, w, h, channels, pixels, mask);
    return;
  }
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
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  if (is_yuv420 (GST_VIDEO_FRAME_FORMAT (frame))) {
    /* Converted a row at a time, then averaged as the packed formats are. */
    const Yuv yuv (frame);
    std::vector<uint8_t> row ((size_t) W * channels);
    std::vector<uint32_t> totals ((size_t) w * channels);
    for (int r = 0; r < h; ++r) {
      const int y0 = (int) ((int64_t) r * H / h), y1 = std::max (y0 + 1, (int) ((int64_t) (r + 1) * H / h));
      std::fill (totals.begin (), totals.end (), 0u);
      for (int y = y0; y < y1; ++y) {
        for (int x = 0; x < W; ++x)
          yuv.read (x, y, channels, row.data () + (size_t) x * channels);
        for (int q = 0; q < w; ++q) {
          const int x0 = (int) ((int64_t) q * W / w), x1 = std::max (x0 + 1, (int) ((int64_t) (q + 1) * W / w));
          for (int x = x0; x < x1; ++x)
            for (int c = 0; c < channels; ++c)
              totals[(size_t) q * channels + c] += row[(size_t) x * channels + c];
        }
      }
      for (int q = 0; q < w; ++q) {
        const int x0 = (int) ((int64_t) q * W / w), x1 = std::max (x0 + 1, (int) ((int64_t) (q + 1) * W / w));
        const uint32_t n = (uint32_t) (y1 - y0) * (x1 - x0);
        for (int c = 0; c < channels; ++c)
          *out++ = (uint8_t) ((totals[(size_t) q * channels + c] + n / 2) / n);
      }
    }
    return;
  }
  const Layout l = layout_of (frame, channels);
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
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  if (is_yuv420 (GST_VIDEO_FRAME_FORMAT (frame))) {
    /* Blended in the model's channels, written back through the chroma blocks. */
    std::vector<uint8_t> pixels ((size_t) W * H * channels);
    read_region (frame, 0, 0, W, H, channels, pixels.data ());
    for (int y = 0; y < H; ++y) {
      const float *map_row = bits + (size_t) ((int64_t) y * mh / H) * mw;
      for (int x = 0; x < W; ++x) {
        const float t = std::clamp (map_row[(int64_t) x * mw / W] / max_bits, 0.f, 1.f);
        uint8_t *p = pixels.data () + ((size_t) y * W + x) * channels;
        const float heat[3] = {255.f * t, 0.f, 255.f * (1.f - t)};
        for (int c = 0; c < channels; ++c)
          p[c] = (uint8_t) ((p[c] + (channels == 1 ? 255.f * t : heat[c])) / 2.f + 0.5f);
      }
    }
    const std::vector<uint8_t> all ((size_t) W * H, 1);
    write_masked (frame, 0, 0, W, H, channels, pixels.data (), all.data ());
    return;
  }
  const Layout l = layout_of (frame, channels);
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
  /* The visible bytes of each row of every plane, without stride padding. A plane's row
   * length is its first component's width times its pixel stride (NV12's interleaved
   * chroma: half the width, two bytes a sample). */
  struct Rows {
    const uint8_t *data;
    int stride, height;
    size_t bytes;
  };
  std::vector<Rows> planes;
  size_t total = 0;
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (frame); ++p) {
    int comp = 0;
    while (comp < (int) GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo) - 1 && (guint) finfo->plane[comp] != p)
      ++comp;
    const Rows r{static_cast<const uint8_t *> (GST_VIDEO_FRAME_PLANE_DATA (frame, p)),
        GST_VIDEO_FRAME_PLANE_STRIDE (frame, p), GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp),
        (size_t) GST_VIDEO_FRAME_COMP_WIDTH (frame, comp) * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp)};
    planes.push_back (r);
    total += r.bytes * r.height;
  }
  bool same = previous.size () == total;
  size_t at = 0;
  for (const auto &r : planes)
    for (int y = 0; same && y < r.height; ++y, at += r.bytes)
      same = std::memcmp (r.data + (size_t) y * r.stride, previous.data () + at, r.bytes) == 0;
  if (!same) {
    previous.resize (total);
    at = 0;
    for (const auto &r : planes)
      for (int y = 0; y < r.height; ++y, at += r.bytes)
        std::memcpy (previous.data () + at, r.data + (size_t) y * r.stride, r.bytes);
  }
  return same;
}

}  // namespace pixelrnn
