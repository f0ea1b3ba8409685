// pixelrnnsrc: caps follow the model and the size properties, frames are the model's samples
// (same seed, same frames; frame N uses seed + N), timestamps follow the frame rate.
#include "element_support.h"
#include "api/model_client.h"

#include <gtest/gtest.h>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

std::vector<std::vector<uint8_t>>
pull_frames (const std::string &properties, int count, GstCaps **caps_out = nullptr,
    std::vector<GstClockTime> *pts = nullptr)
{
  GstElement *e = gst_element_factory_make ("pixelrnnsrc", NULL);
  set_properties (e, properties);
  GstHarness *h = gst_harness_new_with_element (e, NULL, "src");
  gst_object_unref (e);
  gst_harness_play (h);
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < count; ++i) {
    GstBuffer *b = gst_harness_pull (h);
    GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
    GstVideoInfo info;
    gst_video_info_from_caps (&info, caps);
    frames.push_back (read_frame (b, info.width, info.height,
        GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_GRAY8 ? 1 : 3, GST_VIDEO_INFO_FORMAT (&info)));
    if (pts)
      pts->push_back (GST_BUFFER_PTS (b));
    if (caps_out && i == 0)
      *caps_out = gst_caps_ref (caps);
    gst_caps_unref (caps);
    gst_buffer_unref (b);
  }
  gst_harness_teardown (h);
  return frames;
}

}  // namespace

TEST (SrcElement, CapsFollowTheModelAndSize)
{
  GstCaps *caps = nullptr;
  pull_frames ("model=fashion-mnist width=12 height=10", 1, &caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  EXPECT_STREQ (gst_structure_get_string (s, "format"), "GRAY8");
  int w = 0, h = 0;
  gst_structure_get_int (s, "width", &w);
  gst_structure_get_int (s, "height", &h);
  EXPECT_EQ (w, 12);
  EXPECT_EQ (h, 10);
  gst_caps_unref (caps);
  pull_frames ("model=natural width=7 height=5", 1, &caps);
  EXPECT_STREQ (gst_structure_get_string (gst_caps_get_structure (caps, 0), "format"), "RGB");
  gst_caps_unref (caps);
}

TEST (SrcElement, FramesAreTheModelsSamples)
{
  std::vector<GstClockTime> pts;
  auto frames = pull_frames ("model=fashion-mnist width=28 height=28 seed=5 framerate=10/1", 3, nullptr, &pts);
  ModelClient client;
  client.load ("fashion-mnist");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ (frames[i], client.generate (28, 28, 1, 1.0, 5 + i)) << "frame " << i;
  EXPECT_NE (frames[0], frames[1]);
  EXPECT_EQ (pts[2], 2 * GST_SECOND / 10);
  // Another seed, other frames; the same seed, the same frames.
  EXPECT_NE (pull_frames ("model=fashion-mnist width=28 height=28 seed=6", 1)[0], frames[0]);
  EXPECT_EQ (pull_frames ("model=fashion-mnist width=28 height=28 seed=5", 1)[0], frames[0]);
}

TEST (SrcElement, BadModelFailsToStart)
{
  GstElement *pipeline = gst_parse_launch ("pixelrnnsrc model=no-such-model ! fakesink", NULL);
  EXPECT_EQ (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  ASSERT_NE (msg, nullptr);
  GError *err = NULL;
  gst_message_parse_error (msg, &err, NULL);
  EXPECT_NE (std::string (err->message).find ("no-such-model"), std::string::npos);
  g_error_free (err);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

// A frame size that would take minutes per frame is refused when the caps are set, with the
// estimate and the property that raises the limit; within the limit it generates.
TEST (SrcElement, TooLargeFramesAreRefusedWithAnEstimate)
{
  const std::string error = pipeline_error ("pixelrnnsrc model=fashion-mnist width=4096 height=4096 "
      "num-buffers=1 ! fakesink");
  EXPECT_NE (error.find ("max-pixels"), std::string::npos) << error;
  EXPECT_NE (error.find ("s per frame"), std::string::npos) << error;
}
