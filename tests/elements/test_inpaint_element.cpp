// pixelrnninpaint through GstHarness: only masked pixels change, in every format and from
// every mask source; greedy fills equal the model's own fill of the same window; bad masks
// are errors; a rectangle that moves while PLAYING is followed frame by frame.
// (One element's tests in one file, hence over 500 lines.)
#include "element_support.h"
#include "api/hole_windows.h"
#include "api/model_client.h"
#include "temporal_source.h"

#include <glib/gstdio.h>
#include <gst/video/gstvideometa.h>
#include <gtest/gtest.h>

#include <random>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

constexpr int kW = 64, kH = 48;

GstHarness *
inpaint_harness (const std::string &properties, GstVideoFormat format, int w = kW, int ht = kH)
{
  return filter_harness ("pixelrnninpaint", properties, format, w, ht);
}

std::vector<uint8_t>
bytes_of (GstBuffer *b)
{
  GstMapInfo map;
  gst_buffer_map (b, &map, GST_MAP_READ);
  std::vector<uint8_t> v (map.data, map.data + map.size);
  gst_buffer_unmap (b, &map);
  return v;
}

// Bytes of pixels outside `mask` (frame-sized) that differ, and pixels inside that changed.
struct Diff {
  int outside_bytes = 0, inside_pixels = 0;
};

Diff
compare (const std::vector<uint8_t> &before, const std::vector<uint8_t> &after, GstVideoFormat format,
    int w, int h, const std::vector<uint8_t> &mask)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, format, w, h);
  const int stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), ps = GST_VIDEO_INFO_COMP_PSTRIDE (&info, 0);
  Diff d;
  for (size_t k = 0; k < before.size (); ++k) {
    const int y = (int) (k / stride), x = (int) (k % stride) / ps;
    const bool in_frame = x < w && y < h;
    const bool masked = in_frame && mask[(size_t) y * w + x];
    if (!masked && before[k] != after[k])
      d.outside_bytes++;
  }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (mask[(size_t) y * w + x])
        for (int b = 0; b < ps; ++b) {
          const size_t k = (size_t) y * stride + (size_t) x * ps + b;
          if (before[k] != after[k]) {
            d.inside_pixels++;
            break;
          }
        }
  return d;
}

std::vector<uint8_t>
rect_mask (std::initializer_list<Rect> rects, int w = kW, int h = kH)
{
  std::vector<uint8_t> m ((size_t) w * h, 0);
  for (const auto &r : rects)
    mark_rect (m, w, h, r);
  return m;
}

// Pushes one frame and returns (input bytes, output bytes).
std::pair<std::vector<uint8_t>, std::vector<uint8_t>>
run_one (GstHarness *h, GstBuffer *in)
{
  auto before = bytes_of (in);
  EXPECT_EQ (gst_harness_push (h, in), GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull (h);
  auto after = out ? bytes_of (out) : std::vector<uint8_t> ();
  if (out)
    gst_buffer_unref (out);
  return {before, after};
}

}  // namespace

TEST (InpaintElement, OnlyMaskedPixelsChangeInEveryFormat)
{
  auto rgb = photo_crop ("storm-160x120.png", 40, 30, kW, kH);
  auto mask = rect_mask ({{20, 10, 12, 9}});
  for (auto format : {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_RGBx,
           GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR,
           GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB,
           GST_VIDEO_FORMAT_ABGR}) {
    GstHarness *h = inpaint_harness ("rect=<20,10,12,9> mode=sample seed=3", format);
    auto [before, after] = run_one (h, make_frame (rgb, kW, kH, 3, format));
    ASSERT_EQ (before.size (), after.size ());
    auto d = compare (before, after, format, kW, kH, mask);
    EXPECT_EQ (d.outside_bytes, 0) << gst_video_format_to_string (format);
    EXPECT_GT (d.inside_pixels, 12 * 9 / 2) << gst_video_format_to_string (format);
    gst_harness_teardown (h);
  }
  auto gray = photo_crop ("storm-160x120.png", 40, 30, kW, kH, 1);
  GstHarness *h = inpaint_harness ("model=fashion-mnist rect=<20,10,12,9>", GST_VIDEO_FORMAT_GRAY8);
  auto [before, after] = run_one (h, make_frame (gray, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8));
  auto d = compare (before, after, GST_VIDEO_FORMAT_GRAY8, kW, kH, mask);
  EXPECT_EQ (d.outside_bytes, 0);
  EXPECT_GT (d.inside_pixels, 12 * 9 / 2);
  gst_harness_teardown (h);
}

// What decoders give (I420, NV12, ...) is filled without a videoconvert: outside the hole
// every luma byte and every chroma sample whose 2x2 block has no hole pixel stays as it was,
// and the fill, seen through GStreamer's own conversion to RGB, is the RGB fill within the
// rounding of two conversions and the shared chroma at the hole's edge.
TEST (InpaintElement, FourTwoZeroFramesFillLikeRgb)
{
  const Rect hole{21, 11, 12, 9};   // odd corner: blocks straddle the hole's edge
  auto rgb = photo_crop ("storm-160x120.png", 40, 30, kW, kH);
  GstHarness *h = inpaint_harness ("rect=<21,11,12,9> mode=direct", GST_VIDEO_FORMAT_RGB);
  GstBuffer *rgb_in = make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
  GstBuffer *reference_in = gst_buffer_copy_deep (rgb_in);
  auto [rgb_before, rgb_after] = run_one (h, rgb_in);
  gst_harness_teardown (h);
  for (auto format : {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21}) {
    const char *name = gst_video_format_to_string (format);
    GstHarness *y = inpaint_harness ("rect=<21,11,12,9> mode=direct", format);
    GstBuffer *in = convert_buffer (reference_in, kW, kH, GST_VIDEO_FORMAT_RGB, format);
    ASSERT_EQ (gst_harness_push (y, gst_buffer_copy_deep (in)), GST_FLOW_OK) << name;
    GstBuffer *out = gst_harness_pull (y);
    ASSERT_NE (out, nullptr) << name;
    GstVideoInfo info;
    gst_video_info_set_format (&info, format, kW, kH);
    GstVideoFrame a, b;
    gst_video_frame_map (&a, &info, in, GST_MAP_READ);
    gst_video_frame_map (&b, &info, out, GST_MAP_READ);
    int luma_outside = 0, chroma_outside = 0, luma_inside = 0;
    for (int py = 0; py < kH; ++py)
      for (int px = 0; px < kW; ++px) {
        const bool in_hole = px >= hole.x && px < hole.x + hole.w && py >= hole.y && py < hole.y + hole.h;
        const auto at = [&] (GstVideoFrame &f, int c, int x, int yy) {
          return ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&f, c))[yy * GST_VIDEO_FRAME_COMP_STRIDE (&f, c) +
              x * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c)];
        };
        const bool changed = at (a, 0, px, py) != at (b, 0, px, py);
        (in_hole ? luma_inside : luma_outside) += changed;
      }
    for (int cy = 0; cy < kH / 2; ++cy)
      for (int cx = 0; cx < kW / 2; ++cx) {
        const bool block_touches = 2 * cx + 1 >= hole.x && 2 * cx < hole.x + hole.w &&
            2 * cy + 1 >= hole.y && 2 * cy < hole.y + hole.h;
        for (int c = 1; c < 3; ++c) {
          const auto at = [&] (GstVideoFrame &f) {
            return ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&f, c))[cy * GST_VIDEO_FRAME_COMP_STRIDE (&f, c) +
                cx * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c)];
          };
          chroma_outside += !block_touches && at (a) != at (b);
        }
      }
    gst_video_frame_unmap (&a);
    gst_video_frame_unmap (&b);
    EXPECT_EQ (luma_outside, 0) << name;
    EXPECT_EQ (chroma_outside, 0) << name;
    EXPECT_GT (luma_inside, hole.w * hole.h / 2) << name;
    // Seen as RGB by GStreamer's converter, the hole holds about what the RGB frame got.
    GstBuffer *as_rgb = convert_buffer (out, kW, kH, format, GST_VIDEO_FORMAT_RGB);
    const auto got = read_frame (as_rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    double error = 0;
    for (int py = hole.y; py < hole.y + hole.h; ++py)
      for (int px = hole.x; px < hole.x + hole.w; ++px)
        for (int c = 0; c < 3; ++c) {
          const size_t k = ((size_t) py * kW + px) * 3 + c;
          error += std::abs ((int) got[k] - (int) rgb_after[k]);
        }
    EXPECT_LT (error / (hole.w * hole.h * 3), 6.0) << name << ": mean level difference from the RGB fill";
    gst_buffer_unref (as_rgb);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
    gst_harness_teardown (y);
  }
  gst_buffer_unref (reference_in);
}

TEST (InpaintElement, DeterministicFillsEqualTheModelsOwnFill)
{
  // Greedy, mean, direct and auto are deterministic: the element's hole must hold exactly
  // what the model client computes on the same window (hole box widened by context left,
  // right, above, and below when the mode reads below).
  auto rgb = photo_crop ("ladybird-160x120.png", 50, 40, kW, kH);
  ModelClient client;
  client.load ("natural-fast");   // the element's default model
  std::vector<std::string> modes{"greedy", "mean", "auto"};
  if (client.has_conditioner ())
    modes.push_back ("direct");
  for (const auto &mode : modes) {
    GstHarness *h = inpaint_harness ("rect=<30,20,10,8> context=6 mode=" + mode, GST_VIDEO_FORMAT_RGB);
    GstBuffer *in = make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    ASSERT_EQ (gst_harness_push (h, in), GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (h);
    auto got = read_frame (out, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_unref (out);
    gst_harness_teardown (h);

    FillSettings s;
    s.mode = fill_mode_from_name (mode);
    const Rect win = fill_window ({30, 20, 10, 8}, kW, kH, 6,
        fill_rows_below (s.mode, client.has_conditioner (), 6));
    std::vector<uint8_t> window, hole;
    for (int y = 0; y < win.h; ++y)
      for (int x = 0; x < win.w; ++x) {
        for (int c = 0; c < 3; ++c)
          window.push_back (rgb[((size_t) (win.y + y) * kW + win.x + x) * 3 + c]);
        const bool in_hole = win.x + x >= 30 && win.x + x < 40 && win.y + y >= 20 && win.y + y < 28;
        hole.push_back (in_hole);
      }
    client.fill (window.data (), hole.data (), win.w, win.h, s);
    for (int y = 0; y < win.h; ++y)
      for (int x = 0; x < win.w; ++x)
        for (int c = 0; c < 3; ++c)
          ASSERT_EQ (got[((size_t) (win.y + y) * kW + win.x + x) * 3 + c],
              window[((size_t) y * win.w + x) * 3 + c]) << mode << " at " << x << "," << y;
  }
}

TEST (InpaintElement, DirectWithoutAConditionerIsAnError)
{
  auto gray = std::vector<uint8_t> ((size_t) kW * kH, 100);
  GstHarness *h = inpaint_harness ("model=fashion-mnist rect=<5,5,4,4> mode=direct", GST_VIDEO_FORMAT_GRAY8);
  EXPECT_EQ (gst_harness_push (h, make_frame (gray, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8)), GST_FLOW_ERROR);
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  ASSERT_NE (msg, nullptr);
  GError *err = nullptr;
  gst_message_parse_error (msg, &err, nullptr);
  EXPECT_NE (std::string (err->message).find ("conditioner"), std::string::npos) << err->message;
  g_clear_error (&err);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* A hole filled value by value costs a model step per value: past max-pixels it is refused
 * with the estimate, where one pixel less is filled; direct has no such limit. */
TEST (InpaintElement, HolesPastMaxPixelsAreRefusedWithTheEstimate)
{
  auto gray = std::vector<uint8_t> ((size_t) kW * kH, 100);
  struct Case {
    const char *props;
    bool refused;
  } cases[] = {
    {"model=fashion-mnist rect=<5,5,4,4> mode=greedy max-pixels=15", true},
    {"model=fashion-mnist rect=<5,5,4,4> mode=greedy max-pixels=16", false},
    {"model=fashion-mnist rect=<5,5,4,4> mode=best-of candidates=2 max-pixels=16", true},
  };
  for (const auto &c : cases) {
    GstHarness *h = inpaint_harness (c.props, GST_VIDEO_FORMAT_GRAY8);
    EXPECT_EQ (gst_harness_push (h, make_frame (gray, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8)),
        c.refused ? GST_FLOW_ERROR : GST_FLOW_OK) << c.props;
    GstBus *bus = gst_element_get_bus (h->element);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    EXPECT_EQ (msg != nullptr, c.refused) << c.props;
    if (msg) {
      GError *err = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error (msg, &err, &debug);
      EXPECT_NE (std::string (err->message).find ("A hole of 16 pixels"), std::string::npos) << err->message;
      EXPECT_NE (std::string (err->message).find ("max-pixels"), std::string::npos) << err->message;
      EXPECT_NE (std::string (debug).find ("s per frame on one core"), std::string::npos) << debug;
      g_clear_error (&err);
      g_free (debug);
      gst_message_unref (msg);
    }
    gst_object_unref (bus);
    gst_harness_teardown (h);
  }
}

TEST (InpaintElement, EveryMaskSource)
{
  auto rgb = photo_crop ("storm-160x120.png", 0, 0, kW, kH);
  // Several rectangles at once.
  {
    GstHarness *h = inpaint_harness ("rect=<<2,2,6,5>,<40,30,8,8>>", GST_VIDEO_FORMAT_RGB);
    auto [before, after] = run_one (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGB, kW, kH, rect_mask ({{2, 2, 6, 5}, {40, 30, 8, 8}}));
    EXPECT_EQ (d.outside_bytes, 0);
    EXPECT_GT (d.inside_pixels, 40);
    gst_harness_teardown (h);
  }
  // A mask PNG of the frame's size.
  const std::string png = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-mask.png";
  {
    Image m (kW, kH, 1);
    auto mask = rect_mask ({{10, 12, 7, 6}});
    for (size_t k = 0; k < mask.size (); ++k)
      m.pixels[k] = mask[k] ? 255 : 0;
    write_png (png, m);
    GstHarness *h = inpaint_harness ("mask=" + png, GST_VIDEO_FORMAT_RGB);
    auto [before, after] = run_one (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGB, kW, kH, mask);
    EXPECT_EQ (d.outside_bytes, 0);
    EXPECT_GT (d.inside_pixels, 20);
    gst_harness_teardown (h);
  }
  // Alpha 0 in RGBA input marks the hole; filled pixels come out opaque.
  {
    GstHarness *h = inpaint_harness ("", GST_VIDEO_FORMAT_RGBA);
    GstBuffer *in = make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGBA);
    auto mask = rect_mask ({{30, 5, 5, 5}});
    GstMapInfo map;
    gst_buffer_map (in, &map, GST_MAP_WRITE);
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        map.data[((size_t) y * kW + x) * 4 + 3] = mask[(size_t) y * kW + x] ? 0 : 255;
    gst_buffer_unmap (in, &map);
    auto [before, after] = run_one (h, in);
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGBA, kW, kH, mask);
    EXPECT_EQ (d.outside_bytes, 0);
    EXPECT_EQ (d.inside_pixels, 25);        // alpha 0 -> 255 on every hole pixel
    EXPECT_EQ (after[((size_t) 7 * kW + 32) * 4 + 3], 255);
    gst_harness_teardown (h);
  }
  // Region-of-interest meta from upstream, by type; other types are ignored.
  {
    GstHarness *h = inpaint_harness ("roi-type=face", GST_VIDEO_FORMAT_RGB);
    GstBuffer *in = make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_add_video_region_of_interest_meta (in, "face", 12, 30, 9, 7);
    gst_buffer_add_video_region_of_interest_meta (in, "car", 40, 2, 9, 7);
    auto [before, after] = run_one (h, in);
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGB, kW, kH, rect_mask ({{12, 30, 9, 7}}));
    EXPECT_EQ (d.outside_bytes, 0);
    EXPECT_GT (d.inside_pixels, 30);
    gst_harness_teardown (h);
  }
  g_remove (png.c_str ());
}

TEST (InpaintElement, RoiMetaFromAProbeInAPipeline)
{
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=3 pattern=smpte ! "
      "video/x-raw,format=RGB,width=64,height=48 ! identity name=tagger ! "
      "pixelrnninpaint roi-type=logo ! appsink name=sink sync=false", NULL);
  ASSERT_NE (pipeline, nullptr);
  GstElement *tagger = gst_bin_get_by_name (GST_BIN (pipeline), "tagger");
  GstPad *pad = gst_element_get_static_pad (tagger, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, [] (GstPad *, GstPadProbeInfo *info, gpointer) {
    GstBuffer *b = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
    // Across the bars' lower edge and the strips below: no fill reproduces that, so changed
    // pixels show the meta was used (inside one bar a fill along its edges can be exact).
    gst_buffer_add_video_region_of_interest_meta (b, "logo", 20, 28, 10, 12);
    GST_PAD_PROBE_INFO_DATA (info) = b;
    return GST_PAD_PROBE_OK;
  }, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (tagger);
  // The same pattern without inpainting, for comparison.
  GstElement *reference = gst_parse_launch ("videotestsrc num-buffers=1 pattern=smpte ! "
      "video/x-raw,format=RGB,width=64,height=48 ! appsink name=sink sync=false", NULL);
  auto first_frame = [] (GstElement *p) {
    gst_element_set_state (p, GST_STATE_PLAYING);
    GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
    GstSample *sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    auto v = bytes_of (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
    gst_object_unref (sink);
    gst_element_set_state (p, GST_STATE_NULL);
    return v;
  };
  auto filled = first_frame (pipeline), plain = first_frame (reference);
  auto d = compare (plain, filled, GST_VIDEO_FORMAT_RGB, 64, 48, rect_mask ({{20, 28, 10, 12}}));
  EXPECT_EQ (d.outside_bytes, 0);
  EXPECT_GT (d.inside_pixels, 20);
  gst_object_unref (pipeline);
  gst_object_unref (reference);
}

TEST (InpaintElement, MaskOfTheWrongSizeIsAnError)
{
  const std::string png = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-small-mask.png";
  Image m (16, 12, 1);
  std::fill (m.pixels.begin (), m.pixels.end (), 0);
  m.pixels[5 * 16 + 5] = 255;
  write_png (png, m);
  auto rgb = photo_crop ("storm-160x120.png", 0, 0, kW, kH);
  {
    GstHarness *h = inpaint_harness ("mask=" + png, GST_VIDEO_FORMAT_RGB);
    EXPECT_EQ (gst_harness_push (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB)), GST_FLOW_ERROR);
    GstBus *bus = gst_element_get_bus (h->element);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    ASSERT_NE (msg, nullptr);
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    EXPECT_NE (std::string (err->message).find ("is 16x12 but the frames are 64x48"), std::string::npos)
        << err->message;
    g_error_free (err);
    gst_message_unref (msg);
    gst_object_unref (bus);
    gst_harness_teardown (h);
  }
  {
    // mask-scale=true stretches it: the one marked pixel becomes a 4x4 block at (20, 20).
    GstHarness *h = inpaint_harness ("mask-scale=true mask=" + png, GST_VIDEO_FORMAT_RGB);
    auto [before, after] = run_one (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGB, kW, kH, rect_mask ({{20, 20, 4, 4}}));
    EXPECT_EQ (d.outside_bytes, 0);
    EXPECT_GT (d.inside_pixels, 8);
    gst_harness_teardown (h);
  }
  {
    // An unreadable mask file is an error naming it.
    GstHarness *h = inpaint_harness ("mask=/nonexistent/mask.png", GST_VIDEO_FORMAT_RGB);
    EXPECT_EQ (gst_harness_push (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB)), GST_FLOW_ERROR);
    gst_harness_teardown (h);
  }
  g_remove (png.c_str ());
}

TEST (InpaintElement, HundredFramesWithARectangleMovingWhilePlaying)
{
  GstHarness *h = inpaint_harness ("rect=<0,0,6,6>", GST_VIDEO_FORMAT_RGB);
  for (int i = 0; i < 100; ++i) {
    const Rect r{(i * 5) % (kW - 6), (i * 3) % (kH - 6), 6, 6};
    gchar *value = g_strdup_printf ("<%d,%d,%d,%d>", r.x, r.y, r.w, r.h);
    gst_util_set_object_arg (G_OBJECT (h->element), "rect", value);
    g_free (value);
    auto rgb = photo_crop (i % 2 ? "storm-160x120.png" : "ladybird-160x120.png", i % 90, i % 70, kW, kH);
    auto [before, after] = run_one (h, make_frame (rgb, kW, kH, 3, GST_VIDEO_FORMAT_RGB, i * GST_SECOND / 30));
    auto d = compare (before, after, GST_VIDEO_FORMAT_RGB, kW, kH, rect_mask ({r}));
    ASSERT_EQ (d.outside_bytes, 0) << "frame " << i;
    ASSERT_GT (d.inside_pixels, 12) << "frame " << i;
  }
  gst_harness_teardown (h);
}

TEST (InpaintElement, TemporalReusesTheFillOfAStaticScene)
{
  auto rgb = photo_crop ("storm-160x120.png", 20, 20, kW, kH);
  auto fill_of = [&] (GstHarness *h, const std::vector<uint8_t> &frame) {
    auto [before, after] = run_one (h, make_frame (frame, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
    return after;
  };
  {
    GstHarness *h = inpaint_harness ("rect=<20,20,8,8> temporal=true mode=sample", GST_VIDEO_FORMAT_RGB);
    auto a = fill_of (h, rgb);
    auto slightly = rgb;
    for (size_t k = 0; k < slightly.size (); k += 7)
      slightly[k] = (uint8_t) std::min (255, slightly[k] + 1);   // sensor noise, within tolerance
    auto b = fill_of (h, slightly);
    for (int y = 20; y < 28; ++y)
      for (int x = 20; x < 28; ++x)
        for (int c = 0; c < 3; ++c)
          ASSERT_EQ (a[((size_t) y * kW + x) * 3 + c], b[((size_t) y * kW + x) * 3 + c]);
    gst_harness_teardown (h);
  }
  {
    // Sampling without temporal: every frame draws afresh (seed + frame number).
    GstHarness *h = inpaint_harness ("rect=<20,20,8,8> mode=sample", GST_VIDEO_FORMAT_RGB);
    auto a = fill_of (h, rgb), b = fill_of (h, rgb);
    EXPECT_NE (a, b);
    gst_harness_teardown (h);
  }
}

TEST (InpaintElement, BestOfKeepsTheMostLikelyCandidate)
{
  auto rgb = photo_crop ("ladybird-160x120.png", 10, 10, 24, 20);
  std::vector<uint8_t> hole (24 * 20, 0);
  for (int y = 6; y < 12; ++y)
    for (int x = 8; x < 14; ++x)
      hole[(size_t) y * 24 + x] = 1;
  ModelClient client;
  client.load ("natural-fast");   // the element's default model
  FillSettings s;
  s.mode = FillMode::BestOf;
  s.candidates = 6;
  s.seed = 4;
  std::vector<double> scores;
  int chosen = -1;
  auto window = rgb;
  client.fill (window.data (), hole.data (), 24, 20, s, &scores, &chosen);
  ASSERT_EQ (scores.size (), 6u);
  ASSERT_GE (chosen, 0);
  for (double v : scores)
    EXPECT_LE (v, scores[chosen]);
  // The kept fill's score is the model's log-likelihood of the filled window, computed anew.
  auto direct = client.score (window.data (), 24, 20);
  EXPECT_NEAR (-direct.bits_per_dim * 24 * 20 * 3 * 0.69314718, scores[chosen], 0.05);
  // Candidates differ (they are distinct draws).
  EXPECT_GT (*std::max_element (scores.begin (), scores.end ()) -
      *std::min_element (scores.begin (), scores.end ()), 1e-3);
}

// Time as a source: a camera pans 3 px a frame across a photograph while a logo-sized hole
// stays put. By the sixth frame the pixels behind the hole were visible two frames earlier,
// so history=4 restores them exactly (a pure translation), where the model alone can only
// guess; the frames before any history exists are filled by the model as without it.
TEST (InpaintElement, HistoryTakesWhatEarlierFramesSaw)
{
  const int pan = 3;
  auto frame_at = [&] (int k) { return photo_crop ("storm-160x120.png", 10 + pan * k, 30, kW, kH); };
  const Rect hole{24, 16, 8, 12};
  auto hole_error = [&] (const std::vector<uint8_t> &got, const std::vector<uint8_t> &truth) {
    double sum = 0;
    for (int y = hole.y; y < hole.bottom (); ++y)
      for (int x = hole.x; x < hole.right (); ++x)
        for (int c = 0; c < 3; ++c)
          sum += std::abs ((int) got[((size_t) y * kW + x) * 3 + c] - (int) truth[((size_t) y * kW + x) * 3 + c]);
    return sum / (hole.w * hole.h * 3);
  };
  double with_history = 0, without_history = 0;
  for (int history : {4, 0}) {
    GstHarness *h = inpaint_harness ("rect=<24,16,8,12> mode=greedy history=" + std::to_string (history),
        GST_VIDEO_FORMAT_RGB);
    for (int k = 0; k < 6; ++k) {
      auto [before, after] = run_one (h, make_frame (frame_at (k), kW, kH, 3, GST_VIDEO_FORMAT_RGB));
      // Outside the hole nothing changes, history or not.
      for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
          if (!(x >= hole.x && x < hole.right () && y >= hole.y && y < hole.bottom ())) {
            for (int c = 0; c < 3; ++c)
              ASSERT_EQ (after[((size_t) y * kW + x) * 3 + c], before[((size_t) y * kW + x) * 3 + c]);
          }
      if (k == 5)
        (history ? with_history : without_history) = hole_error (after, frame_at (k));
    }
    gst_harness_teardown (h);
  }
  EXPECT_LT (with_history, 0.5) << "the pixels behind the hole were seen two frames earlier";
  EXPECT_GT (without_history, 2.0) << "the model alone cannot know them exactly";
}

// History never copies across a cut: after a frame of another picture the ring around the
// hole matches no displacement well, so nothing is taken and the model fills it all.
TEST (TemporalSource, TakesNothingAcrossASceneCut)
{
  const int W = 64, H = 48;
  auto storm = photo_crop ("storm-160x120.png", 10, 30, W, H);
  auto other = photo_crop ("ladybird-160x120.png", 10, 10, W, H);
  std::vector<uint8_t> mask (W * H, 0);
  mark_rect (mask, W, H, Rect{24, 16, 8, 12});
  TemporalSource history;
  std::vector<uint8_t> moved_mask (W * H, 0);      // the hole was elsewhere in the earlier frame
  mark_rect (moved_mask, W, H, Rect{4, 4, 8, 12});
  history.remember (other.data (), moved_mask, W, H, 3);
  auto frame = storm;
  auto left = mask;
  EXPECT_EQ (history.fill (frame.data (), left, W, H, 3), 0);
  EXPECT_EQ (left, mask);
  EXPECT_EQ (frame, storm);
  // The same scene remembered: the hole's pixels come back exactly.
  history.remember (storm.data (), moved_mask, W, H, 3);
  for (int y = 16; y < 28; ++y)
    for (int x = 24; x < 32; ++x)
      for (int c = 0; c < 3; ++c)
        frame[((size_t) y * W + x) * 3 + c] = 0;
  EXPECT_EQ (history.fill (frame.data (), left, W, H, 3), 8 * 12);
  EXPECT_EQ (frame, storm);
  EXPECT_EQ (std::count (left.begin (), left.end (), 1), 0);
}

// Over a flat background every displacement whose ring stays on the flat part matches
// equally well (difference 0). The search gives up on worse candidates early and tries them
// from the centre outwards; a tie must still go to no motion, so the hole gets what was behind
// it in the earlier frame (a pattern), not flat grey from beside it.
TEST (TemporalSource, ATieGoesToNoMotion)
{
  const int W = 64, H = 48;
  std::vector<uint8_t> earlier (W * H * 3, 100);
  for (int y = 16; y < 28; ++y)
    for (int x = 24; x < 32; ++x)
      for (int c = 0; c < 3; ++c)
        earlier[((size_t) y * W + x) * 3 + c] = (uint8_t) (7 * x + 13 * y + 50 * c);
  std::vector<uint8_t> mask (W * H, 0), moved_mask (W * H, 0);
  mark_rect (mask, W, H, Rect{24, 16, 8, 12});
  mark_rect (moved_mask, W, H, Rect{4, 30, 8, 12});   // where the hole was then
  TemporalSource history;
  history.remember (earlier.data (), moved_mask, W, H, 3);
  std::vector<uint8_t> frame (W * H * 3, 100);
  auto left = mask;
  EXPECT_EQ (history.fill (frame.data (), left, W, H, 3), 8 * 12);
  EXPECT_EQ (frame, earlier);
}

// A pan of 6 px a frame behind a hole 24 px wide: its left part was last visible four frames
// back, 24 px away, beyond the +-16 px searched around no motion. Each older frame is searched
// around what the newer ones predict, so the whole hole comes back exactly.
TEST (TemporalSource, FollowsAPanIntoOlderFrames)
{
  const int W = 96, H = 48, pan = 6;
  auto frame_at = [&] (int k) { return photo_crop ("storm-160x120.png", 4 + pan * k, 30, W, H); };
  std::vector<uint8_t> mask (W * H, 0);
  mark_rect (mask, W, H, Rect{20, 16, 24, 12});
  TemporalSource history (TemporalSourceSettings{8, 16, 6, 3, 6.0});
  for (int k = 0; k < 6; ++k)
    history.remember (frame_at (k).data (), mask, W, H, 3);
  const auto truth = frame_at (6);
  auto frame = truth;
  for (int y = 16; y < 28; ++y)
    for (int x = 20; x < 44; ++x)
      for (int c = 0; c < 3; ++c)
        frame[((size_t) y * W + x) * 3 + c] = 0;
  auto left = mask;
  EXPECT_EQ (history.fill (frame.data (), left, W, H, 3), 24 * 12);
  EXPECT_EQ (frame, truth);
}
