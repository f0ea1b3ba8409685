// Hot reload: `model` changed while PLAYING is loaded off the streaming thread and swapped in
// at a frame boundary; a model that cannot load, or does not fit the stream, leaves the old
// one in use with a warning; reload=true picks up a model file replaced on disk.
#include "element_support.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

using namespace pixelrnn::test;

namespace {

// Frames reaching the sink: their offsets (videotestsrc numbers its frames) and whether each
// carried a likelihood score.
struct Frames {
  std::mutex lock;
  std::vector<guint64> offsets;
  int unscored = 0;
};

void
on_handoff (GstElement *, GstBuffer *buffer, GstPad *, gpointer data)
{
  auto *frames = static_cast<Frames *> (data);
  std::lock_guard<std::mutex> guard (frames->lock);
  frames->offsets.push_back (GST_BUFFER_OFFSET (buffer));
  frames->unscored += gst_buffer_get_pixelrnn_likelihood_meta (buffer) == nullptr;
}

struct Pipeline {
  GstElement *pipeline = nullptr, *element = nullptr;
  GstBus *bus = nullptr;
  Frames frames;

  explicit Pipeline (const std::string &properties)
  {
    const std::string launch = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=64,"
        "height=48,framerate=30/1 ! videoconvert ! pixelrnnlikelihood name=e skip-late=false " +
        properties + " ! fakesink name=sink signal-handoffs=true sync=false";
    pipeline = gst_parse_launch (launch.c_str (), NULL);
    element = gst_bin_get_by_name (GST_BIN (pipeline), "e");
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &frames);
    gst_object_unref (sink);
    bus = gst_element_get_bus (pipeline);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
  }
  ~Pipeline ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (element);
    gst_object_unref (pipeline);
  }
  size_t frame_count ()
  {
    std::lock_guard<std::mutex> guard (frames.lock);
    return frames.offsets.size ();
  }
  // The next pixelrnn-model message (its "model" field) or warning (its text, prefixed
  // "warning: "); an error or nothing in `seconds` fails the test.
  std::string next_event (int seconds = 30)
  {
    const gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end) {
      GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND / 10, (GstMessageType)
          (GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_ERROR));
      if (!m)
        continue;
      std::string out;
      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
        GError *err = NULL;
        gchar *debug = NULL;
        if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR)
          gst_message_parse_error (m, &err, &debug);
        else
          gst_message_parse_warning (m, &err, &debug);
        out = std::string (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR ? "error: " : "warning: ") +
            err->message + " | " + (debug ? debug : "");
        g_error_free (err);
        g_free (debug);
      } else if (gst_structure_has_name (gst_message_get_structure (m), "pixelrnn-model")) {
        out = gst_structure_get_string (gst_message_get_structure (m), "model");
      }
      gst_message_unref (m);
      if (!out.empty ())
        return out;
    }
    return "timeout";
  }
  // Waits until `more` frames beyond now have reached the sink.
  bool wait_frames (size_t more)
  {
    const size_t target = frame_count () + more;
    for (int k = 0; k < 300 && frame_count () < target; ++k)
      g_usleep (20000);
    return frame_count () >= target;
  }
};

std::string
zoo_path (const std::string &name)
{
  return std::string (PIXELRNN_ZOO_DIR) + "/" + name + ".pixelrnn";
}

void
copy_file (const std::string &from, const std::string &to)
{
  std::ifstream in (from, std::ios::binary);
  std::ofstream out (to + ".tmp", std::ios::binary);
  out << in.rdbuf ();
  out.close ();
  ASSERT_EQ (g_rename ((to + ".tmp").c_str (), to.c_str ()), 0);
}

// Resident memory of this process, kB (VmRSS).
long
resident_kb ()
{
  std::ifstream status ("/proc/self/status");
  std::string line;
  while (std::getline (status, line))
    if (line.rfind ("VmRSS:", 0) == 0)
      return std::atol (line.c_str () + 6);
  return -1;
}

}  // namespace

TEST (HotReload, HundredSwapsWhilePlayingLoseNoFrameAndLeakNothing)
{
  Pipeline p ("model=natural");
  ASSERT_TRUE (p.wait_frames (3));
  long after_warm_up = 0;
  for (int k = 0; k < 100; ++k) {
    const std::string name = k % 2 == 0 ? "natural-fast" : "natural";
    g_object_set (p.element, "model", name.c_str (), NULL);
    const std::string event = p.next_event ();
    ASSERT_NE (event.find (name + ".pixelrnn"), std::string::npos) << "swap " << k << ": " << event;
    if (k == 19)
      after_warm_up = resident_kb ();
  }
  // No leak: each swap loads a model of about 1 MB of weights plus its engine's buffers; 80
  // leaked swaps would hold well over 80 MB more. Allocator and cache noise stays far below.
  const long grown = resident_kb () - after_warm_up;
  std::printf ("resident memory after 20 swaps %ld kB, after 100 %+ld kB\n", after_warm_up, grown);
#ifndef __SANITIZE_ADDRESS__   /* AddressSanitizer's quarantine keeps freed blocks resident */
  EXPECT_LT (grown, 30 * 1024) << "resident memory grew by " << grown << " kB over 80 swaps";
#endif
  ASSERT_TRUE (p.wait_frames (3));
  gst_element_set_state (p.pipeline, GST_STATE_NULL);
  std::lock_guard<std::mutex> guard (p.frames.lock);
  const auto &offsets = p.frames.offsets;
  for (size_t k = 1; k < offsets.size (); ++k)
    ASSERT_EQ (offsets[k], offsets[k - 1] + 1) << "a frame went missing after frame " << offsets[k - 1];
  EXPECT_EQ (p.frames.unscored, 0) << "of " << offsets.size () << " frames";
  EXPECT_GT (offsets.size (), 10u);
}

TEST (HotReload, AModelThatCannotLoadOrDoesNotFitKeepsTheOldOne)
{
  Pipeline p ("model=natural");
  ASSERT_TRUE (p.wait_frames (3));
  g_object_set (p.element, "model", "no-such-model", NULL);
  std::string event = p.next_event ();
  EXPECT_EQ (event.rfind ("warning: ", 0), 0u) << event;
  EXPECT_NE (event.find ("no-such-model"), std::string::npos) << event;
  // A gray model cannot read the negotiated RGB stream.
  g_object_set (p.element, "model", "fashion-mnist", NULL);
  event = p.next_event ();
  EXPECT_EQ (event.rfind ("warning: ", 0), 0u) << event;
  EXPECT_NE (event.find ("channel"), std::string::npos) << event;
  // Frames are still scored, with the old model; a good model afterwards still swaps in.
  ASSERT_TRUE (p.wait_frames (5));
  g_object_set (p.element, "model", "natural-fast", NULL);
  event = p.next_event ();
  EXPECT_NE (event.find ("natural-fast.pixelrnn"), std::string::npos) << event;
  gst_element_set_state (p.pipeline, GST_STATE_NULL);
  EXPECT_EQ (p.frames.unscored, 0);
}

TEST (HotReload, ReloadPicksUpAModelFileReplacedOnDisk)
{
  gchar *dir = g_dir_make_tmp ("pixelrnn-reload-XXXXXX", NULL);
  const std::string path = std::string (dir) + "/scene.pixelrnn";
  copy_file (zoo_path ("natural-fast"), path);
  {
    Pipeline p ("model=" + path + " reload=true");
    ASSERT_TRUE (p.wait_frames (3));
    copy_file (zoo_path ("natural"), path);     // as pixelrnn train writes: temporary, rename
    const std::string event = p.next_event (10);
    EXPECT_EQ (event, path);
    gchar *summary = NULL;
    ASSERT_TRUE (p.wait_frames (3));
    g_object_get (p.element, "model", &summary, NULL);
    EXPECT_EQ (std::string (summary), path);
    g_free (summary);
  }
  g_remove (path.c_str ());
  g_rmdir (dir);
  g_free (dir);
}

TEST (HotReload, SourceSwapsItsModelWhilePlaying)
{
  GstElement *pipeline = gst_parse_launch ("pixelrnnsrc name=e model=natural width=8 height=8 ! "
      "fakesink sync=false", NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "e");
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  auto next = [&] () -> std::string {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, (GstMessageType)
        (GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_ERROR));
    if (!m)
      return "timeout";
    std::string out = GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT ?
        gst_structure_get_string (gst_message_get_structure (m), "model") :
        GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING ? "warning" : "error";
    gst_message_unref (m);
    return out;
  };
  g_object_set (src, "model", "natural-fast", NULL);
  EXPECT_NE (next ().find ("natural-fast.pixelrnn"), std::string::npos);
  g_object_set (src, "model", "fashion-mnist", NULL);   // gray: the RGB caps stay, so refused
  EXPECT_EQ (next (), "warning");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipeline);
}
