// Fuzzing pixelrnninpaint's `rect` property as gst-launch hands it over: mutated strings
// deserialized by GStreamer and set while the element runs, each followed by a frame. Every frame
// must come back filled only inside the rectangles the element reports (clipped to the
// frame), or fail with an error message that names the rectangle; nothing may crash.
#include "../fuzz_support.h"
#include "element_support.h"

#include <gtest/gtest.h>

#include <random>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

constexpr int kW = 40, kH = 30;

// The rectangles the element reports, clipped to the frame, as a frame-sized mask.
std::vector<uint8_t>
reported_mask (GstElement *element)
{
  std::vector<uint8_t> mask ((size_t) kW * kH, 0);
  GValue value = G_VALUE_INIT;
  g_value_init (&value, GST_TYPE_ARRAY);
  g_object_get_property (G_OBJECT (element), "rect", &value);
  for (guint i = 0; i < gst_value_array_get_size (&value); ++i) {
    const GValue *r = gst_value_array_get_value (&value, i);
    int n[4];
    for (int k = 0; k < 4; ++k)
      n[k] = g_value_get_int (gst_value_array_get_value (r, k));
    for (int64_t y = n[1]; y < std::min<int64_t> ((int64_t) n[1] + n[3], kH); ++y)
      for (int64_t x = n[0]; x < std::min<int64_t> ((int64_t) n[0] + n[2], kW); ++x)
        mask[(size_t) y * kW + x] = 1;
  }
  g_value_unset (&value);
  return mask;
}

// gst_util_set_object_arg, as gst-launch does, but without its leak of the half-built value
// when the text does not parse (GStreamer 1.22 returns without unsetting it).
void
set_rect_text (GstElement *element, const std::string &text)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "rect");
  GValue value = G_VALUE_INIT;
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  if (gst_value_deserialize_with_pspec (&value, text.c_str (), pspec))
    g_object_set_property (G_OBJECT (element), "rect", &value);
  g_value_unset (&value);
}

}  // namespace

TEST (Fuzz, InpaintRectStrings)
{
  const auto seeds = read_lines (fuzz_seed_path (data_path (""), "element-rects.txt"));
  ASSERT_GE (seeds.size (), 5u);
  auto picture = photo_crop ("storm-160x120.png", 30, 20, kW, kH, 1);
  GstHarness *h = filter_harness ("pixelrnninpaint", "model=fashion-mnist mode=greedy context=2",
      GST_VIDEO_FORMAT_GRAY8, kW, kH);
  GstBus *bus = gst_element_get_bus (h->element);
  std::mt19937_64 rng (7);
  int filled = 0, refused = 0, rounds = fuzz_rounds (150);
  for (int r = 0; r < rounds; ++r) {
    const std::string text = r < (int) seeds.size () ? seeds[r] : mutate_text (seeds[rng () % seeds.size ()], rng);
    set_rect_text (h->element, text);
    const auto mask = reported_mask (h->element);
    const GstFlowReturn ret = gst_harness_push (h, make_frame (picture, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8));
    GstMessage *error = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (ret == GST_FLOW_OK) {
      ASSERT_EQ (error, nullptr) << "round " << r << " '" << text << "' posted an error but the frame went on";
      GstBuffer *out = gst_harness_pull (h);
      auto got = read_frame (out, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8);
      gst_buffer_unref (out);
      for (size_t k = 0; k < got.size (); ++k) {
        if (!mask[k]) {
          ASSERT_EQ (got[k], picture[k]) << "round " << r << " '" << text << "' changed pixel " << k
                                         << " outside the reported rectangles";
        }
      }
      ++filled;
    } else {
      ASSERT_EQ (ret, GST_FLOW_ERROR) << "round " << r << " '" << text << "'";
      ASSERT_NE (error, nullptr) << "round " << r << " '" << text << "' failed without an error message";
      GError *e = nullptr;
      gst_message_parse_error (error, &e, nullptr);
      EXPECT_NE (std::string (e->message).find ("rect"), std::string::npos) << e->message;
      g_error_free (e);
      ++refused;
    }
    if (error)
      gst_message_unref (error);
    // Later rounds start from a good rectangle again, so each refusal is this round's own.
    set_rect_text (h->element, "<2,2,3,3>");
  }
  gst_object_unref (bus);
  gst_harness_teardown (h);
  std::printf ("rect property: %d rounds, %d frames filled, %d refused with an error\n", rounds,
      filled, refused);
  EXPECT_GT (filled, 0);
  EXPECT_GT (refused, 0);
}
