// Trouble on purpose: rectangles past the frame or overflowing int, malformed values, an
// exception forced into every callback, a full disk under the CSV, a failed start next to an
// existing CSV, a controlled property, properties changed from another thread while PLAYING,
// and odd frame sizes with row padding in every format.
// (Every element's trouble cases in one file, hence over 500 lines.)
#include "callback_guard.h"
#include "score_csv.h"
#include "element_support.h"
#include "api/hole_windows.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <glib/gstdio.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/video/gstvideometa.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <csignal>
#include <thread>

#include <omp.h>
#include <sys/resource.h>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

constexpr int kW = 64, kH = 48;

// The first message of `type` on the element's bus, or NULL; its text in `text`.
GstMessage *
pop_message (GstElement *element, GstMessageType type, std::string *text = nullptr)
{
  GstBus *bus = gst_element_get_bus (element);
  GstMessage *msg = gst_bus_pop_filtered (bus, type);
  gst_object_unref (bus);
  if (msg && text) {
    GError *err = NULL;
    gchar *debug = NULL;
    if (type == GST_MESSAGE_ERROR)
      gst_message_parse_error (msg, &err, &debug);
    else
      gst_message_parse_warning (msg, &err, &debug);
    *text = std::string (err->message) + " | " + (debug ? debug : "");
    g_error_free (err);
    g_free (debug);
  }
  return msg;
}

int
count_messages (GstElement *element, GstMessageType type)
{
  int n = 0;
  while (GstMessage *m = pop_message (element, type)) {
    gst_message_unref (m);
    ++n;
  }
  return n;
}

std::vector<uint8_t>
photo (int w = kW, int h = kH)
{
  return photo_crop ("storm-160x120.png", 0, 0, w, h);
}

int
changed_pixels (const std::vector<uint8_t> &a, const std::vector<uint8_t> &b, int channels)
{
  int n = 0;
  for (size_t k = 0; k < a.size (); k += channels)
    n += !std::equal (a.begin () + k, a.begin () + k + channels, b.begin () + k);
  return n;
}

// Pushes one RGB frame through a fresh inpaint harness; returns the flow and the output.
GstFlowReturn
inpaint_once (GstHarness *h, std::vector<uint8_t> &out)
{
  auto in = photo ();
  GstFlowReturn ret = gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
  if (ret == GST_FLOW_OK) {
    GstBuffer *b = gst_harness_pull (h);
    out = read_frame (b, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_unref (b);
  }
  return ret;
}

}  // namespace

TEST (Robustness, RectPastTheFrameOrOverflowingIntDoesNotCrash)
{
  auto in = photo ();
  {
    // x right of the frame while y is inside: nothing to fill, one warning.
    GstHarness *h = filter_harness ("pixelrnninpaint", "rect=<100,10,4,4>", GST_VIDEO_FORMAT_RGB, kW, kH);
    std::vector<uint8_t> out;
    ASSERT_EQ (inpaint_once (h, out), GST_FLOW_OK);
    EXPECT_EQ (changed_pixels (in, out, 3), 0);
    ASSERT_EQ (inpaint_once (h, out), GST_FLOW_OK);
    std::string text;
    GstMessage *w = pop_message (h->element, GST_MESSAGE_WARNING, &text);
    ASSERT_NE (w, nullptr);
    gst_message_unref (w);
    EXPECT_NE (text.find ("wholly outside the 64x48 frame"), std::string::npos) << text;
    EXPECT_EQ (count_messages (h->element, GST_MESSAGE_WARNING), 0) << "one warning, not one per frame";
    gst_harness_teardown (h);
  }
  {
    // x + w overflows int: clipped to the frame's right edge.
    GstHarness *h = filter_harness ("pixelrnninpaint", "rect=<1,1,2147483647,2>", GST_VIDEO_FORMAT_RGB, kW, kH);
    std::vector<uint8_t> out;
    ASSERT_EQ (inpaint_once (h, out), GST_FLOW_OK);
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        if (y < 1 || y > 2 || x < 1) {
          const size_t k = ((size_t) y * kW + x) * 3;
          ASSERT_TRUE (std::equal (in.begin () + k, in.begin () + k + 3, out.begin () + k)) << x << "," << y;
        }
    EXPECT_GT (changed_pixels (in, out, 3), 0);
    gst_harness_teardown (h);
  }
  {
    // Upstream region meta with x past the frame, and one with huge width.
    GstHarness *h = filter_harness ("pixelrnninpaint", "roi-type=logo", GST_VIDEO_FORMAT_RGB, kW, kH);
    GstBuffer *b = make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_add_video_region_of_interest_meta (b, "logo", 1000, 5, 8, 8);
    gst_buffer_add_video_region_of_interest_meta (b, "logo", 60, 5, G_MAXUINT, 4);
    ASSERT_EQ (gst_harness_push (h, b), GST_FLOW_OK);
    GstBuffer *o = gst_harness_pull (h);
    auto out = read_frame (o, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_unref (o);
    EXPECT_EQ (changed_pixels (in, out, 3) > 0, true);
    gst_harness_teardown (h);
  }
}

TEST (Robustness, MalformedRectIsAnErrorNamingTheValue)
{
  for (const char *bad : {"<1,2,3>", "<a,b,c,d>", "<1,1,0,4>", "<-3,1,4,4>"}) {
    GstHarness *h = filter_harness ("pixelrnninpaint", std::string ("rect=") + bad,
        GST_VIDEO_FORMAT_RGB, kW, kH);
    std::vector<uint8_t> out;
    EXPECT_EQ (inpaint_once (h, out), GST_FLOW_ERROR) << bad;
    std::string text;
    GstMessage *e = pop_message (h->element, GST_MESSAGE_ERROR, &text);
    ASSERT_NE (e, nullptr) << bad;
    gst_message_unref (e);
    EXPECT_NE (text.find ("Invalid rect"), std::string::npos) << bad << ": " << text;
    gst_harness_teardown (h);
  }
}

// An exception forced into each callback: streaming and state callbacks post an error
// naming the callback and fail; queries and property access answer quietly. Nothing crashes.
TEST (Robustness, AnExceptionInEveryCallbackBecomesAnErrorOrAQuietAnswer)
{
  auto in = photo ();
  for (const char *factory : {"pixelrnninpaint", "pixelrnnlikelihood"}) {
    {
      // start: the state change fails with the error on the bus.
      GstElement *pipeline = gst_parse_launch ((std::string ("videotestsrc num-buffers=1 ! "
          "videoconvert ! ") + factory + " ! fakesink").c_str (), NULL);
      inject_fault ("start");
      EXPECT_EQ (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
      inject_fault (nullptr);
      std::string text;
      GstMessage *m = pop_message (pipeline, GST_MESSAGE_ERROR, &text);
      ASSERT_NE (m, nullptr) << factory;
      gst_message_unref (m);
      EXPECT_NE (text.find ("Internal error in start"), std::string::npos) << factory << ": " << text;
      gst_element_set_state (pipeline, GST_STATE_NULL);
      gst_object_unref (pipeline);
    }
    for (const char *callback : {"set_info", "transform_frame_ip"}) {
      GstElement *e = gst_element_factory_make (factory, NULL);
      if (std::string (factory) == "pixelrnninpaint")
        gst_util_set_object_arg (G_OBJECT (e), "rect", "<8,8,4,4>");
      GstHarness *h = gst_harness_new_with_element (e, "sink", "src");
      gst_object_unref (e);
      GstBus *bus = gst_bus_new ();
      gst_element_set_bus (h->element, bus);
      gst_object_unref (bus);
      inject_fault (callback);
      gst_harness_set_src_caps_str (h, caps_string (GST_VIDEO_FORMAT_RGB, kW, kH).c_str ());
      const GstFlowReturn ret = gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB));
      inject_fault (nullptr);
      // A failed caps event is sent again with the buffer (sticky), and then succeeds.
      if (std::string (callback) == "transform_frame_ip") {
        EXPECT_EQ (ret, GST_FLOW_ERROR) << factory;
      }
      std::string text;
      GstMessage *m = pop_message (h->element, GST_MESSAGE_ERROR, &text);
      ASSERT_NE (m, nullptr) << factory << " " << callback;
      gst_message_unref (m);
      EXPECT_NE (text.find (std::string ("Internal error in ") + callback), std::string::npos)
          << factory << ": " << text;
      gst_harness_teardown (h);
    }
    for (const char *callback : {"transform_caps", "accept_caps", "set_property", "get_property"}) {
      GstHarness *h = filter_harness (factory, "", GST_VIDEO_FORMAT_RGB, kW, kH);
      inject_fault (callback);
      if (std::string (callback) == "set_property" || std::string (callback) == "get_property") {
        gchar *model = NULL;
        gst_util_set_object_arg (G_OBJECT (h->element), "model", "natural");
        g_object_get (h->element, "model", &model, NULL);
        g_free (model);
      } else {
        GstCaps *caps = gst_caps_from_string (caps_string (GST_VIDEO_FORMAT_BGRx, kW, kH).c_str ());
        GstPad *pad = gst_element_get_static_pad (h->element, "sink");
        GstCaps *answer = gst_pad_query_caps (pad, caps);
        gst_caps_unref (answer);
        gst_pad_query_accept_caps (pad, caps);
        gst_object_unref (pad);
        gst_caps_unref (caps);
      }
      inject_fault (nullptr);
      EXPECT_EQ (count_messages (h->element, GST_MESSAGE_ERROR), 0) << factory << " " << callback;
      // And the element still works afterwards.
      EXPECT_EQ (gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB)), GST_FLOW_OK)
          << factory << " " << callback;
      gst_harness_teardown (h);
    }
  }
  for (const char *callback : {"start", "set_caps", "fill"}) {
    GstElement *pipeline = gst_parse_launch ("pixelrnnsrc model=fashion-mnist width=4 height=4 "
        "num-buffers=2 ! fakesink", NULL);
    inject_fault (callback);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    inject_fault (nullptr);
    ASSERT_NE (m, nullptr) << callback;
    EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_ERROR) << callback;
    gst_message_unref (m);
    gst_object_unref (bus);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}

TEST (Robustness, CsvOnAFullDiskIsAnError)
{
  GstHarness *h = filter_harness ("pixelrnnlikelihood", "location=/dev/full", GST_VIDEO_FORMAT_RGB, kW, kH);
  EXPECT_EQ (gst_harness_push (h, make_frame (photo (), kW, kH, 3, GST_VIDEO_FORMAT_RGB)), GST_FLOW_ERROR);
  std::string text;
  GstMessage *m = pop_message (h->element, GST_MESSAGE_ERROR, &text);
  ASSERT_NE (m, nullptr);
  gst_message_unref (m);
  EXPECT_NE (text.find ("/dev/full"), std::string::npos) << text;
  EXPECT_NE (text.find ("No space left"), std::string::npos) << text;
  gst_harness_teardown (h);
}

// A disk that fills in the middle of a row (here: a file size limit of 100 bytes, rows of 31):
// the write is an error, and the file holds whole rows only, never the start of the next one.
TEST (Robustness, AFullDiskLeavesWholeRowsOnly)
{
  const std::string csv = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-whole-rows.csv";
  g_remove (csv.c_str ());
  const auto old_handler = std::signal (SIGXFSZ, SIG_IGN);   /* EFBIG instead of the signal */
  struct rlimit old_limit;
  ASSERT_EQ (getrlimit (RLIMIT_FSIZE, &old_limit), 0);
  struct rlimit small = old_limit;
  small.rlim_cur = 100;
  ASSERT_EQ (setrlimit (RLIMIT_FSIZE, &small), 0);
  std::string error;
  int rows = 0;
  {
    ScoreCsv out (csv, "frame,pts_ns,bits_per_dim,score");   /* 32 bytes with its newline */
    try {
      for (; rows < 10; ++rows)
        out.write_row ("000" + std::to_string (rows) + ",0000000000,4.000000,4.000");
    } catch (const CsvError &e) {
      error = e.what ();
    }
  }
  setrlimit (RLIMIT_FSIZE, &old_limit);
  std::signal (SIGXFSZ, old_handler);
  EXPECT_NE (error.find (csv + "\": cannot write"), std::string::npos) << error;
  EXPECT_EQ (rows, 2) << "the header and two rows fit in 100 bytes, the third does not";
  std::ifstream f (csv);
  std::string all ((std::istreambuf_iterator<char> (f)), std::istreambuf_iterator<char> ());
  EXPECT_EQ (all, "frame,pts_ns,bits_per_dim,score\n0000,0000000000,4.000000,4.000\n"
      "0001,0000000000,4.000000,4.000\n") << "94 bytes, not 100";
  g_remove (csv.c_str ());
}

TEST (Robustness, AStreamThatFailsBeforeItsFirstFrameLeavesAnExistingCsvAlone)
{
  const std::string csv = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-keep.csv";
  {
    std::ofstream f (csv);
    f << "frame,pts_ns,bits_per_dim,score,anomaly\n0,0,4.0,4.0,0\n1,33,4.1,4.1,0\n";
  }
  // The model loads, then negotiation fails (gray frames for an RGB model): no frame scored.
  GstElement *pipeline = gst_parse_launch (("appsrc name=src caps=video/x-raw,format=GRAY8,"
      "width=8,height=8,framerate=30/1 ! pixelrnnlikelihood location=" + csv + " ! fakesink").c_str (), NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstFlowReturn ret;
  g_signal_emit_by_name (src, "push-buffer", make_frame (std::vector<uint8_t> (64, 0), 8, 8, 1,
      GST_VIDEO_FORMAT_GRAY8), &ret);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  EXPECT_NE (m, nullptr);
  if (m)
    gst_message_unref (m);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  std::ifstream f (csv);
  std::string all ((std::istreambuf_iterator<char> (f)), std::istreambuf_iterator<char> ());
  EXPECT_EQ (all, "frame,pts_ns,bits_per_dim,score,anomaly\n0,0,4.0,4.0,0\n1,33,4.1,4.1,0\n");
  g_remove (csv.c_str ());
}

// threshold is CONTROLLABLE: a control source steps it from 0 (every frame anomalous) to 100
// (none) half a second in, and the element follows it frame by frame.
// A capsfilter forcing a format the model cannot read: no caps event ever reaches the element,
// so the error must come from the refused caps query (the filters, pixelrnntrain) or the failed negotiation
// (the source); either way it names the model, and it is the first error on the bus.
TEST (Robustness, CapsForcedToAFormatTheModelCannotReadNameTheModel)
{
#define TRAIN_LOCATION "/tmp/pixelrnn-test-refused-offer.pixelrnn"
  const char *launches[] = {
    "videotestsrc num-buffers=2 ! video/x-raw,format=RGB,width=28,height=28 ! "
    "pixelrnnlikelihood model=fashion-mnist ! fakesink",
    "videotestsrc num-buffers=2 ! video/x-raw,width=28,height=28 ! videoconvert ! "
    "video/x-raw,format=RGB ! pixelrnninpaint model=fashion-mnist rect=<1,1,4,4> ! fakesink",
    "videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8,width=28,height=28 ! "
    "pixelrnnlikelihood model=natural ! fakesink",
    "pixelrnnsrc model=fashion-mnist num-buffers=1 ! video/x-raw,format=RGB ! fakesink",
    "videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8,width=28,height=28 ! "
    "pixelrnntrain model=natural location=" TRAIN_LOCATION " ! fakesink",
  };
  for (const char *launch : launches) {
    GstElement *pipeline = gst_parse_launch (launch, NULL);
    ASSERT_NE (pipeline, nullptr) << launch;
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    ASSERT_NE (msg, nullptr) << launch;
    ASSERT_EQ (GST_MESSAGE_TYPE (msg), GST_MESSAGE_ERROR) << launch;
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    EXPECT_TRUE (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT))
        << launch << ": " << err->message;
    const std::string text = err->message;
    EXPECT_NE (text.find ("Model \""), std::string::npos) << launch << ": " << text;
    EXPECT_NE (text.find (strstr (launch, "model=natural") ? "natural" : "fashion-mnist"),
        std::string::npos) << launch << ": " << text;
    g_error_free (err);
    gst_message_unref (msg);
    gst_object_unref (bus);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  g_remove (TRAIN_LOCATION);
#undef TRAIN_LOCATION
  // The same element with videoconvert free to choose negotiates and runs to the end.
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=2 ! "
      "video/x-raw,width=28,height=28 ! videoconvert ! pixelrnnlikelihood model=fashion-mnist ! "
      "fakesink", NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  ASSERT_NE (msg, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

TEST (Robustness, ControlledThresholdFollowsItsControlSource)
{
  GstHarness *h = filter_harness ("pixelrnnlikelihood", "score=bits-per-dim", GST_VIDEO_FORMAT_RGB, kW, kH);
  GstControlSource *cs = gst_interpolation_control_source_new ();
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs), 0, 0.0);
  gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs), GST_SECOND / 2, 100.0);
  gst_object_add_control_binding (GST_OBJECT (h->element),
      gst_direct_control_binding_new_absolute (GST_OBJECT (h->element), "threshold", cs));
  auto in = photo ();
  std::vector<bool> anomalies;
  const GstClockTime times[] = {0, GST_SECOND / 4, GST_SECOND, 2 * GST_SECOND};
  for (GstClockTime pts : times) {
    ASSERT_EQ (gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB, pts)), GST_FLOW_OK);
    GstBuffer *b = gst_harness_pull (h);
    auto *meta = gst_buffer_get_pixelrnn_likelihood_meta (b);
    ASSERT_NE (meta, nullptr);
    anomalies.push_back (meta->anomaly);
    gst_buffer_unref (b);
  }
  EXPECT_EQ (anomalies, (std::vector<bool>{true, true, false, false}));
  gst_object_unref (cs);
  gst_harness_teardown (h);
}

// Every writable property set thousands of times from another thread while frames flow;
// every frame still comes out, and the pipeline ends in EOS, not an error.
TEST (Robustness, PropertiesChangedFromAnotherThreadWhilePlaying)
{
  struct Case {
    const char *launch;
    std::vector<std::pair<const char *, std::vector<const char *>>> values;
  };
  const Case cases[] = {
    {"videotestsrc num-buffers=40 pattern=ball ! video/x-raw,width=48,height=32 ! videoconvert ! "
     "pixelrnninpaint name=e rect=<4,4,6,6> ! fakesink name=sink signal-handoffs=true",
     {{"rect", {"<4,4,6,6>", "<<1,1,3,3>,<20,10,5,5>>", "<40,20,8,8>"}},
      {"context", {"0", "4", "16"}}, {"mode", {"greedy", "sample"}},
      {"temperature", {"0.5", "1.0"}}, {"seed", {"1", "7"}}, {"candidates", {"1", "2"}},
      {"temporal", {"true", "false"}}, {"tolerance", {"0", "5"}}, {"mask-scale", {"true", "false"}},
      {"roi-type", {"logo", ""}}}},
    {"videotestsrc num-buffers=40 pattern=ball ! video/x-raw,width=48,height=32 ! videoconvert ! "
     "pixelrnnlikelihood name=e ! fakesink name=sink signal-handoffs=true",
     {{"score", {"zscore", "peak", "bits-per-dim", "complexity"}}, {"threshold", {"1", "4", "9"}},
      {"window", {"2", "30", "5"}}, {"interval", {"1", "2", "3"}}, {"post-messages", {"true", "false"}},
      {"draw", {"none", "heatmap"}}, {"regions", {"0", "3"}}}},
  };
  for (const auto &c : cases) {
    GstElement *pipeline = gst_parse_launch (c.launch, NULL);
    ASSERT_NE (pipeline, nullptr);
    GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), "e");
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
    std::atomic<int> frames{0};
    g_signal_connect (sink, "handoff", G_CALLBACK (+[] (GstElement *, GstBuffer *, GstPad *, gpointer n) {
      ++*static_cast<std::atomic<int> *> (n);
    }), &frames);
    std::atomic<bool> stop{false};
    std::atomic<int> changes{0};
    std::thread hammer ([&] {
      std::mt19937 rng (3);
      while (!stop) {
        const auto &p = c.values[rng () % c.values.size ()];
        gst_util_set_object_arg (G_OBJECT (e), p.first, p.second[rng () % p.second.size ()]);
        gchar *text = NULL;
        GValue v = G_VALUE_INIT;
        g_value_init (&v, G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (
            G_OBJECT_GET_CLASS (e), p.first)));
        g_object_get_property (G_OBJECT (e), p.first, &v);
        g_value_unset (&v);
        g_free (text);
        ++changes;
      }
    });
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    stop = true;
    hammer.join ();
    ASSERT_NE (m, nullptr);
    EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS) << c.launch;
    gst_message_unref (m);
    EXPECT_EQ (frames.load (), 40) << c.launch;
    EXPECT_GT (changes.load (), 1000) << c.launch;
    gst_object_unref (bus);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (e);
    gst_object_unref (sink);
    gst_object_unref (pipeline);
  }
}

// Sizes with row padding (stride rounded to 4 bytes) in every format the model takes: only
// the rectangle changes, and every frame gets a finite score.
TEST (Robustness, OddSizesWithRowPaddingInEveryFormat)
{
  const GstVideoFormat rgb_formats[] = {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR,
      GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR,
      GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR};
  const std::pair<int, int> sizes[] = {{385, 289}, {1, 1}, {3, 3}, {5, 7}, {13, 2}};
  for (auto [w, h] : sizes)
    for (int gray = 0; gray < 2; ++gray)
      for (GstVideoFormat format : rgb_formats) {
        if (gray && format != GST_VIDEO_FORMAT_RGB)
          continue;
        const GstVideoFormat f = gray ? GST_VIDEO_FORMAT_GRAY8 : format;
        const int C = gray ? 1 : 3;
        const std::string model = gray ? "model=fashion-mnist " : "";
        std::vector<uint8_t> in ((size_t) w * h * C);
        std::mt19937 rng (w * 31 + h);
        for (auto &v : in)
          v = (uint8_t) (rng () % 256);
        const std::string what = std::string (gst_video_format_to_string (f)) + " " +
            std::to_string (w) + "x" + std::to_string (h);
        GstHarness *ih = filter_harness ("pixelrnninpaint", model + "rect=<0,0,2,2>", f, w, h);
        ASSERT_EQ (gst_harness_push (ih, make_frame (in, w, h, C, f)), GST_FLOW_OK) << what;
        GstBuffer *o = gst_harness_pull (ih);
        auto out = read_frame (o, w, h, C, f);
        gst_buffer_unref (o);
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            if (x >= 2 || y >= 2) {
              const size_t k = ((size_t) y * w + x) * C;
              ASSERT_TRUE (std::equal (in.begin () + k, in.begin () + k + C, out.begin () + k)) << what;
            }
        gst_harness_teardown (ih);
        GstHarness *lh = filter_harness ("pixelrnnlikelihood", model, f, w, h);
        ASSERT_EQ (gst_harness_push (lh, make_frame (in, w, h, C, f)), GST_FLOW_OK) << what;
        GstBuffer *b = gst_harness_pull (lh);
        auto *meta = gst_buffer_get_pixelrnn_likelihood_meta (b);
        ASSERT_NE (meta, nullptr) << what;
        EXPECT_TRUE (std::isfinite (meta->bits_per_dim) && meta->bits_per_dim > 0) << what;
        gst_buffer_unref (b);
        gst_harness_teardown (lh);
      }
}

// best-of keeps every layer's features for every candidate: 96 candidates of a whole 64x48
// frame (context 1024) needed ~1.8 GB at once; batches keep the process well under that.
TEST (Robustness, BestOfMemoryIsBounded)
{
  GstHarness *h = filter_harness ("pixelrnninpaint",
      "mode=best-of candidates=96 context=1024 rect=<20,20,4,4>", GST_VIDEO_FORMAT_RGB, kW, kH);
  std::vector<uint8_t> out;
  ASSERT_EQ (inpaint_once (h, out), GST_FLOW_OK);
  gst_harness_teardown (h);
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
#ifndef __SANITIZE_ADDRESS__   /* AddressSanitizer's shadow memory and quarantine add their own */
  EXPECT_LT (usage.ru_maxrss, 900 * 1024) << "max RSS " << usage.ru_maxrss / 1024 << " MB";
#endif
}

// The LATENCY answer is upstream's plus the element's processing time (its "latency"
// property); "throughput" is the rate frames leave at; "threads" applies to the element's
// own streaming thread, not to the application's.
TEST (Live, LatencyQueryThroughputAndThreads)
{
  const int app_threads = omp_get_max_threads ();
  GstElement *pipeline = gst_parse_launch ("videotestsrc is-live=true num-buffers=15 ! "
      "video/x-raw,width=64,height=48,framerate=30/1 ! videoconvert ! "
      "pixelrnnlikelihood name=e threads=2 ! fakesink sync=true", NULL);
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), "e");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  ASSERT_NE (m, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS);
  gst_message_unref (m);
  double latency_ms = 0, throughput = 0;
  g_object_get (e, "latency", &latency_ms, "throughput", &throughput, NULL);
  EXPECT_GT (latency_ms, 0.0);
  // A live 30 frames/s source: frames cannot leave faster than that (how much slower depends
  // on the machine's load, which a test does not judge).
  EXPECT_GT (throughput, 0.0);
  EXPECT_LT (throughput, 45.0);
  GstPad *src = gst_element_get_static_pad (e, "src"), *sink = gst_element_get_static_pad (e, "sink");
  GstQuery *ours = gst_query_new_latency (), *upstream = gst_query_new_latency ();
  ASSERT_TRUE (gst_pad_query (src, ours));
  ASSERT_TRUE (gst_pad_peer_query (sink, upstream));
  gboolean live;
  GstClockTime min_ours, max_ours, min_up, max_up;
  gst_query_parse_latency (ours, &live, &min_ours, &max_ours);
  EXPECT_TRUE (live);
  gst_query_parse_latency (upstream, &live, &min_up, &max_up);
  const double added_ms = (double) (min_ours - min_up) / GST_MSECOND;
  EXPECT_GT (added_ms, 0.0);
  EXPECT_NEAR (added_ms, latency_ms, 0.01 + 0.01 * latency_ms);
  gst_query_unref (ours);
  gst_query_unref (upstream);
  gst_object_unref (src);
  gst_object_unref (sink);
  EXPECT_EQ (omp_get_max_threads (), app_threads) << "threads=2 leaked into the application's thread";
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (e);
  gst_object_unref (pipeline);
}

// Downstream reports lateness (a QoS event): frames that would arrive too late skip the model.
// The likelihood element passes them unscored and counts them; the inpaint element never shows
// the hole: it repeats the region's last fill.
TEST (Live, LateFramesSkipTheModelButNeverShowAHole)
{
  auto in = photo ();
  auto qos_event = [] () {   // downstream at 1 s is 2 s behind: anything before 3 s is late
    return gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 0.5, 2 * GST_SECOND, GST_SECOND);
  };
  {
    GstHarness *h = filter_harness ("pixelrnnlikelihood", "", GST_VIDEO_FORMAT_RGB, kW, kH);
    std::vector<bool> scored;
    const GstClockTime times[] = {0, GST_SECOND, 5 * GST_SECOND};
    for (GstClockTime pts : times) {
      if (pts == GST_SECOND) {
        ASSERT_TRUE (gst_harness_push_upstream_event (h, qos_event ()));
      }
      ASSERT_EQ (gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB, pts)), GST_FLOW_OK);
      GstBuffer *b = gst_harness_pull (h);
      scored.push_back (gst_buffer_get_pixelrnn_likelihood_meta (b) != nullptr);
      gst_buffer_unref (b);
    }
    EXPECT_EQ (scored, (std::vector<bool>{true, false, true}));
    guint64 late = 0;
    g_object_get (h->element, "late-frames", &late, NULL);
    EXPECT_EQ (late, 1u);
    gst_harness_teardown (h);
  }
  {
    GstHarness *h = filter_harness ("pixelrnninpaint", "rect=<20,20,8,8>", GST_VIDEO_FORMAT_RGB, kW, kH);
    ASSERT_EQ (gst_harness_push (h, make_frame (in, kW, kH, 3, GST_VIDEO_FORMAT_RGB, 0)), GST_FLOW_OK);
    GstBuffer *b = gst_harness_pull (h);
    auto first = read_frame (b, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_unref (b);
    ASSERT_TRUE (gst_harness_push_upstream_event (h, qos_event ()));
    std::vector<uint8_t> black (in.size (), 0);   // the hole would show black if left alone
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        if (x < 20 || x >= 28 || y < 20 || y >= 28)
          std::copy_n (in.begin () + ((size_t) y * kW + x) * 3, 3, black.begin () + ((size_t) y * kW + x) * 3);
    ASSERT_EQ (gst_harness_push (h, make_frame (black, kW, kH, 3, GST_VIDEO_FORMAT_RGB, GST_SECOND)), GST_FLOW_OK);
    b = gst_harness_pull (h);
    auto late = read_frame (b, kW, kH, 3, GST_VIDEO_FORMAT_RGB);
    gst_buffer_unref (b);
    EXPECT_EQ (late, first) << "the late frame repeats the last fill of the region";
    guint64 count = 0;
    g_object_get (h->element, "late-frames", &count, NULL);
    EXPECT_EQ (count, 1u);
    gst_harness_teardown (h);
  }
}

// A new frame size mid-stream (a decoder's resolution change, a renegotiated capsfilter):
// each filter takes it and starts again what depended on the old size (zscore history,
// calibration, temporal memory), posting a warning that names both sizes, and its output
// at the new size is right: only the hole changes, every frame gets its scores.
TEST (Robustness, ACapsChangeMidStreamStartsAgainAtTheNewSize)
{
  struct Case {
    const char *factory, *props;
  } cases[] = {
    {"pixelrnnlikelihood", "threads=1 calibration-frames=2 score=zscore post-messages=true"},
    {"pixelrnninpaint", "threads=1 rect=<8,8,8,8> history=4 temporal=true"},
  };
  for (const auto &c : cases) {
    GstHarness *h = filter_harness (c.factory, c.props, GST_VIDEO_FORMAT_RGB, 48, 36);
    GstClockTime pts = 0;
    for (int size : {0, 1, 0}) {
      const int W = size ? 80 : 48, H = size ? 60 : 36;
      gst_harness_set_src_caps_str (h, caps_string (GST_VIDEO_FORMAT_RGB, W, H).c_str ());
      const auto picture = photo_crop ("ladybird-160x120.png", 5, 5, W, H);
      for (int k = 0; k < 3; ++k) {
        ASSERT_EQ (gst_harness_push (h, make_frame (picture, W, H, 3, GST_VIDEO_FORMAT_RGB, pts)), GST_FLOW_OK)
            << c.factory << " at " << W << "x" << H << ": " << bus_message_text (h->element, GST_MESSAGE_ERROR);
        pts += GST_SECOND / 30;
        GstBuffer *out = gst_harness_pull (h);
        ASSERT_NE (out, nullptr);
        const auto pixels = read_frame (out, W, H, 3, GST_VIDEO_FORMAT_RGB);
        gst_buffer_unref (out);
        size_t changed = 0;
        for (int y = 0; y < H; ++y)
          for (int x = 0; x < W; ++x)
            for (int ch = 0; ch < 3; ++ch) {
              const size_t i = ((size_t) y * W + x) * 3 + ch;
              const bool hole = std::string (c.factory) == "pixelrnninpaint" && x >= 8 && x < 16 && y >= 8 && y < 16;
              changed += !hole && pixels[i] != picture[i];
            }
        EXPECT_EQ (changed, 0u) << c.factory << " changed pixels outside its hole at " << W << "x" << H;
      }
    }
    if (std::string (c.factory) == "pixelrnnlikelihood") {
      std::string warnings, w;
      while (!(w = bus_message_text (h->element, GST_MESSAGE_WARNING)).empty ())
        warnings += w + "\n";
      EXPECT_NE (warnings.find ("The frame size changed mid-stream: scoring at 52x39, before at 48x36."),
          std::string::npos) << warnings;
    }
    /* last: popping one type discards the others */
    EXPECT_EQ (bus_message_text (h->element, GST_MESSAGE_ERROR), "") << c.factory;
    gst_harness_teardown (h);
  }
}

// 4:2:0 frames against GStreamer's own converter on a colourful photograph: what the elements
// read from an I420/NV12 frame is near what videoconvert would have given them (chroma taken
// from its 2x2 block, where the converter interpolates: 2-3 levels on average here) and no
// further from the photograph than the converter's own round trip (here 2.5 against 3.9
// levels); what they write is what the converter writes from the same RGB (luma to the level).
TEST (FramePixels, FourTwoZeroReadsAndWritesAsGStreamerConverts)
{
  constexpr int W = 64, H = 48;
  const auto rgb = photo_crop ("ladybird-160x120.png", 48, 36, W, H);
  for (auto format : {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21, GST_VIDEO_FORMAT_YV12}) {
    const char *name = gst_video_format_to_string (format);
    GstBuffer *packed = make_frame (rgb, W, H, 3, GST_VIDEO_FORMAT_RGB);
    GstBuffer *yuv = convert_buffer (packed, W, H, GST_VIDEO_FORMAT_RGB, format);
    GstBuffer *back = convert_buffer (yuv, W, H, format, GST_VIDEO_FORMAT_RGB);
    const auto reference = read_frame (back, W, H, 3, GST_VIDEO_FORMAT_RGB);
    const auto ours = read_frame (yuv, W, H, 3, format);   /* read_region on the 4:2:0 frame */
    double mean = 0;
    for (size_t k = 0; k < ours.size (); ++k)
      mean += std::abs ((int) ours[k] - (int) reference[k]);
    mean /= ours.size ();
    EXPECT_LT (mean, 3.5) << name << ": read differs from videoconvert's by " << mean << " levels";
    // The photograph is far from gray: swapped or misplaced chroma would be tens of levels off.
    double to_source = 0;
    for (size_t k = 0; k < ours.size (); ++k)
      to_source += std::abs ((int) ours[k] - (int) rgb[k]);
    EXPECT_LT (to_source / ours.size (), 4.0) << name << ": " << to_source / ours.size ();
    double ref_source = 0;
    for (size_t k = 0; k < ours.size (); ++k)
      ref_source += std::abs ((int) reference[k] - (int) rgb[k]);
    EXPECT_LT (to_source, ref_source + 0.25 * ours.size ()) << name << ": no further from the photograph than "
        "videoconvert's own round trip (" << ref_source / ours.size () << " levels)";

    // Writing every pixel: luma as the converter computes it, to the level.
    GstBuffer *written = gst_buffer_copy_deep (yuv);
    GstVideoInfo info;
    gst_video_info_set_format (&info, format, W, H);
    GstVideoFrame f, g;
    gst_video_frame_map (&f, &info, written, GST_MAP_WRITE);
    const std::vector<uint8_t> all ((size_t) W * H, 1);
    std::vector<uint8_t> gray_image ((size_t) W * H, 0);
    write_masked (&f, 0, 0, W, H, 3, rgb.data (), all.data ());
    gst_video_frame_map (&g, &info, yuv, GST_MAP_READ);
    int luma_off = 0, chroma_far = 0;
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const auto *a = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&f, 0);
        const auto *b = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&g, 0);
        const int stride = GST_VIDEO_FRAME_COMP_STRIDE (&f, 0);
        luma_off += std::abs ((int) a[y * stride + x] - (int) b[y * stride + x]) > 1;
      }
    for (int c = 1; c < 3; ++c)
      for (int y = 0; y < H / 2; ++y)
        for (int x = 0; x < W / 2; ++x) {
          const size_t at = (size_t) y * GST_VIDEO_FRAME_COMP_STRIDE (&f, c) + (size_t) x * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c);
          chroma_far += std::abs ((int) ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&f, c))[at] -
              (int) ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&g, c))[at]) > 3;
        }
    gst_video_frame_unmap (&f);
    gst_video_frame_unmap (&g);
    EXPECT_EQ (luma_off, 0) << name;
    EXPECT_LT (chroma_far, W * H / 2 / 20) << name << ": chroma samples more than 3 levels off";
    gst_buffer_unref (written);
    gst_buffer_unref (back);
    gst_buffer_unref (yuv);
    gst_buffer_unref (packed);
  }
}
