// pixelrnntrain through GstHarness and a real pipeline: frames pass untouched; the model it
// writes scores the scene it watched better than the model it started from; a full queue
// skips frames instead of delaying them; anomalous frames stay out; bad settings are errors;
// and pixelrnnlikelihood reload=true picks its writes up in the same pipeline. Its trainer
// reads the model once and starts each run from it as read.
#include "element_support.h"
#include "api/model_client.h"
#include "api/scene_trainer.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsrc.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

constexpr int kW = 48, kH = 40;

class TrainElement : public ::testing::Test {
 protected:
  void SetUp () override
  {
    gchar *dir = g_dir_make_tmp ("pixelrnn-train-XXXXXX", nullptr);
    dir_ = dir;
    g_free (dir);
    location_ = dir_ + "/scene.pixelrnn";
  }
  void TearDown () override { (void) std::system (("rm -rf '" + dir_ + "'").c_str ()); }

  // A harness of pixelrnntrain on GRAY8 frames, fine-tuning the small Fashion-MNIST model.
  GstHarness *harness (const std::string &extra)
  {
    return filter_harness ("pixelrnntrain", "model=fashion-mnist location=" + location_ +
        " threads=1 " + extra, GST_VIDEO_FORMAT_GRAY8, kW, kH);
  }

  // Pops pixelrnn-train messages until one has reached `step` (or `seconds` pass); returns
  // the last one seen (owned by the caller) or nullptr.
  static GstStructure *wait_step (GstBus *bus, int64_t step, int seconds = 60)
  {
    GstStructure *last = nullptr;
    const gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end) {
      GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND / 10, GST_MESSAGE_ELEMENT);
      if (!m)
        continue;
      const GstStructure *s = gst_message_get_structure (m);
      if (gst_structure_has_name (s, "pixelrnn-train")) {
        if (last)
          gst_structure_free (last);
        last = gst_structure_copy (s);
      }
      gst_message_unref (m);
      gint64 reached = 0;
      if (last && gst_structure_get_int64 (last, "step", &reached) && reached >= step)
        break;
    }
    return last;
  }

  std::string dir_, location_;
};

std::vector<float>
weights_of (const ModelClient &model)
{
  std::vector<float> all;
  model.for_each_weight ([&] (const std::string &, const float *values, size_t count) {
    all.insert (all.end (), values, values + count);
  });
  return all;
}

double
bits_per_dim_under (const std::string &model, const std::vector<uint8_t> &gray)
{
  ModelClient client;
  client.load (model);
  return client.score (gray.data (), kW, kH).bits_per_dim;
}

}  // namespace

TEST_F (TrainElement, PassesFramesUntouchedAndLearnsTheScene)
{
  const auto scene = photo_crop ("storm-160x120.png", 40, 30, kW, kH, 1);
  const double before = bits_per_dim_under ("fashion-mnist", scene);
  GstHarness *h = harness ("save-every=10 batch=4 patch=24 learning-rate=0.003");
  GstBus *bus = gst_element_get_bus (h->element);
  ASSERT_TRUE (g_file_test (location_.c_str (), G_FILE_TEST_EXISTS))
      << "the starting copy is written when the element gets ready";
  for (int k = 0; k < 20; ++k) {
    ASSERT_EQ (gst_harness_push (h, make_frame (scene, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8, k * GST_SECOND / 30)), GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (h);
    ASSERT_EQ (read_frame (out, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8), scene) << "frame " << k << " changed";
    gst_buffer_unref (out);
  }
  GstStructure *s = wait_step (bus, 60);
  ASSERT_NE (s, nullptr) << "no pixelrnn-train message";
  gboolean saved = FALSE;
  guint64 seen = 0;
  gint64 step = 0;
  gst_structure_get_boolean (s, "saved", &saved);
  gst_structure_get_uint64 (s, "images-seen", &seen);
  gst_structure_get_int64 (s, "step", &step);
  EXPECT_TRUE (saved);
  EXPECT_GT (seen, 0u);
  EXPECT_GE (step, 60);
  EXPECT_STREQ (gst_structure_get_string (s, "location"), location_.c_str ());
  gst_structure_free (s);
  // The file as written at step 60 (or at a later write: each replaces it whole), read while
  // the element trains on: the same budget on a fast or a slow (sanitized) build.
  const double after = bits_per_dim_under (location_, scene);
  // EOS: the last steps are written before EOS goes on.
  gst_harness_push_event (h, gst_event_new_eos ());
  gst_object_unref (bus);
  gst_harness_teardown (h);
  std::printf ("scene under fashion-mnist: %.3f bits/dim; after %lld steps in the element: %.3f\n",
      before, (long long) step, after);
  EXPECT_LT (after, before - 0.2);
}

TEST_F (TrainElement, AFullQueueSkipsFramesInsteadOfDelayingThem)
{
  const auto scene = photo_crop ("ladybird-160x120.png", 10, 10, kW, kH, 1);
  // Large batches make each step slow, so frames arrive faster than the thread takes them.
  GstHarness *h = harness ("queue-size=1 batch=64 patch=40 save-every=1");
  GstBus *bus = gst_element_get_bus (h->element);
  for (int k = 0; k < 200; ++k) {
    ASSERT_EQ (gst_harness_push (h, make_frame (scene, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8, k * GST_SECOND / 30)), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  GstStructure *s = wait_step (bus, 1);
  ASSERT_NE (s, nullptr);
  guint64 seen = 0, skipped = 0;
  gst_structure_get_uint64 (s, "images-seen", &seen);
  gst_structure_get_uint64 (s, "frames-skipped", &skipped);
  EXPECT_GT (skipped, 0u) << "200 frames, queue of 1, slow steps: some must have been skipped";
  EXPECT_EQ (seen + skipped, 200u);
  gst_structure_free (s);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

TEST_F (TrainElement, FramesMarkedAnomalousStayOutOfTraining)
{
  const auto scene = photo_crop ("storm-160x120.png", 0, 0, kW, kH, 1);
  GstHarness *h = harness ("save-every=1 batch=2 patch=16");
  GstBus *bus = gst_element_get_bus (h->element);
  for (int k = 0; k < 10; ++k) {
    GstBuffer *b = make_frame (scene, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8, k * GST_SECOND / 30);
    gst_buffer_add_pixelrnn_likelihood_meta (b, 9.0, 9.0, k % 2 == 0, k);   // even frames anomalous
    ASSERT_EQ (gst_harness_push (h, b), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  gst_harness_push_event (h, gst_event_new_eos ());
  GstStructure *last = wait_step (bus, 1 << 30, 5);
  ASSERT_NE (last, nullptr);
  guint64 seen = 0, skipped = 0, anomalous = 0;
  gst_structure_get_uint64 (last, "images-seen", &seen);
  gst_structure_get_uint64 (last, "frames-skipped", &skipped);
  gst_structure_get_uint64 (last, "anomalous-frames", &anomalous);
  EXPECT_EQ (anomalous, 5u);
  EXPECT_EQ (seen + skipped, 5u);
  gst_structure_free (last);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

TEST_F (TrainElement, BadSettingsAreErrorsThatSayWhy)
{
  const std::string corrupt = dir_ + "/corrupt.pixelrnn";
  ASSERT_TRUE (g_file_set_contents (corrupt.c_str (), "not a model at all", -1, nullptr));
  struct Case {
    std::string launch, fragment, second_fragment;
  } cases[] = {
    {"videotestsrc num-buffers=2 ! pixelrnntrain ! fakesink", "No location set"},
    {"videotestsrc num-buffers=2 ! pixelrnntrain location=" + dir_ + "/no/such/dir/m.pixelrnn ! fakesink",
        dir_ + "/no/such/dir/m.pixelrnn"},
    {"videotestsrc num-buffers=2 ! video/x-raw,format=GRAY8 ! pixelrnntrain model=fashion-mnist init=natural location=" +
        location_ + " ! fakesink", "channel"},
    /* a model it cannot read is a read error naming that file ("Could not read the model to
     * start from."), not "Could not write" the location */
    {"videotestsrc num-buffers=2 ! pixelrnntrain init=" + corrupt + " location=" + dir_ + "/new.pixelrnn ! fakesink",
        "Could not read the model to start from.", corrupt + ": not a PixelRNN model file"},
  };
  for (const auto &c : cases) {
    GstElement *pipeline = gst_parse_launch (c.launch.c_str (), nullptr);
    ASSERT_NE (pipeline, nullptr) << c.launch;
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
        (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    ASSERT_NE (m, nullptr) << c.launch;
    ASSERT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_ERROR) << c.launch;
    GError *e = nullptr;
    gchar *debug = nullptr;
    gst_message_parse_error (m, &e, &debug);
    const std::string text = std::string (e->message) + " | " + (debug ? debug : "");
    EXPECT_NE (text.find (c.fragment), std::string::npos) << c.launch << ": " << text;
    EXPECT_NE (text.find (c.second_fragment), std::string::npos) << c.launch << ": " << text;
    g_error_free (e);
    g_free (debug);
    gst_message_unref (m);
    gst_object_unref (bus);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}

TEST_F (TrainElement, LikelihoodWithReloadPicksUpItsWritesInOnePipeline)
{
  // The README's train-while-watching pipeline: the trainer writes scene.pixelrnn while the
  // likelihood element, watching that file, swaps each new version in.
  const std::string launch =
      "appsrc name=src is-live=false block=true max-buffers=2 format=time "
      "caps=video/x-raw,format=GRAY8,width=48,height=40,framerate=30/1 ! tee name=t "
      "t. ! queue max-size-buffers=2 ! pixelrnnlikelihood name=watch model=" + location_ + " reload=true ! fakesink "
      "t. ! queue max-size-buffers=2 ! pixelrnntrain model=fashion-mnist location=" + location_ +
      " save-every=5 batch=2 patch=16 threads=1 ! fakesink";
  GstElement *pipeline = gst_parse_launch (launch.c_str (), nullptr);
  ASSERT_NE (pipeline, nullptr);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  ASSERT_NE (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  const auto scene = photo_crop ("storm-160x120.png", 20, 20, kW, kH, 1);
  int swaps = 0, writes = 0;
  bool error = false;
  const gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (int k = 0; g_get_monotonic_time () < end && swaps == 0 && !error; ++k) {
    gst_app_src_push_buffer (GST_APP_SRC (src), make_frame (scene, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8, k * GST_SECOND / 30));
    while (GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND / 30,
               (GstMessageType) (GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR))) {
      error |= GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR;
      const GstStructure *s = gst_message_get_structure (m);
      writes += gst_structure_has_name (s, "pixelrnn-train");
      swaps += gst_structure_has_name (s, "pixelrnn-model") &&
          g_strcmp0 (GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), "watch") == 0;
      gst_message_unref (m);
    }
  }
  EXPECT_FALSE (error);
  EXPECT_GT (writes, 0);
  EXPECT_GT (swaps, 0) << "pixelrnnlikelihood never swapped in the trainer's model";
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  EXPECT_TRUE (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS) << "no EOS within 60 s";
  if (m)
    gst_message_unref (m);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

// A new frame size mid-stream: refused with a negotiation error that names both sizes (the
// batches stack frames of one size; before, LibTorch failed inside the training thread).
TEST_F (TrainElement, ACapsChangeMidStreamIsRefusedNamingBothSizes)
{
  const auto scene = photo_crop ("ladybird-160x120.png", 10, 10, kW, kH, 1);
  GstHarness *h = harness ("width=0 height=0");
  ASSERT_EQ (gst_harness_push (h, make_frame (scene, kW, kH, 1, GST_VIDEO_FORMAT_GRAY8, 0)), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  gst_harness_set_src_caps_str (h, caps_string (GST_VIDEO_FORMAT_GRAY8, 2 * kW, 2 * kH).c_str ());
  const auto big = photo_crop ("ladybird-160x120.png", 0, 0, 2 * kW, 2 * kH, 1);
  EXPECT_NE (gst_harness_push (h, make_frame (big, 2 * kW, 2 * kH, 1, GST_VIDEO_FORMAT_GRAY8, GST_SECOND)), GST_FLOW_OK);
  GstBus *bus = gst_element_get_bus (h->element);
  GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  ASSERT_NE (m, nullptr);
  GError *err = nullptr;
  gst_message_parse_error (m, &err, nullptr);
  const std::string text = err->message;
  EXPECT_NE (text.find ("cannot change the training size mid-stream: " + std::to_string (kW) + "x" +
      std::to_string (kH) + ", now "), std::string::npos) << text;
  g_error_free (err);
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

// One writer per model file, checked when the element gets ready: a second pixelrnntrain with
// the same location fails at once naming it; a folder as location fails then too, not at the
// end of the stream. The lock file goes when the element does.
TEST_F (TrainElement, OneWriterPerLocationAndAFolderIsRefusedAtStart)
{
  GstElement *first = gst_element_factory_make ("pixelrnntrain", NULL);
  GstElement *second = gst_element_factory_make ("pixelrnntrain", NULL);
  GstElement *folder = gst_element_factory_make ("pixelrnntrain", NULL);
  for (GstElement *e : {first, second, folder}) {
    g_object_set (e, "model", "fashion-mnist", "location", (e == folder ? dir_ : location_).c_str (), NULL);
    GstBus *bus = gst_bus_new ();
    gst_element_set_bus (e, bus);
    gst_object_unref (bus);
  }
  EXPECT_EQ (gst_element_set_state (first, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  EXPECT_EQ (gst_element_set_state (second, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  EXPECT_EQ (gst_element_set_state (folder, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  const std::string busy = bus_message_text (second, GST_MESSAGE_ERROR),
      is_folder = bus_message_text (folder, GST_MESSAGE_ERROR);
  EXPECT_NE (busy.find ("Another writer holds \"" + location_ + "\""), std::string::npos) << busy;
  EXPECT_NE (is_folder.find ("is a folder"), std::string::npos) << is_folder;
  EXPECT_TRUE (g_file_test ((location_ + ".lock").c_str (), G_FILE_TEST_EXISTS));
  for (GstElement *e : {first, second, folder}) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_object_unref (e);
  }
  EXPECT_FALSE (g_file_test ((location_ + ".lock").c_str (), G_FILE_TEST_EXISTS));
}

// The element's trainer (a TrainingRun on a stream) reads its model once; each run trains a
// fresh copy of it, so a restarted pipeline does not count (or keep) the last run's steps or
// weights: the file written after the second run (at learning rate 0) is init's weights, with
// init's steps plus that run's alone.
TEST_F (TrainElement, EachRunStartsFromTheModelAsRead)
{
  const auto scene = photo_crop ("storm-160x120.png", 40, 30, kW, kH, 1);
  ModelClient init;
  init.load ("fashion-mnist");
  const int64_t init_steps = init.describe ().steps;
  SceneTrainer trainer ("fashion-mnist");
  ASSERT_EQ (trainer.channels (), 1);
  for (int run = 0; run < 2; ++run) {
    std::atomic<int64_t> saved_step{0}, last_step{-1};
    SceneTrainerSettings s;
    s.location = location_;
    s.write_every = 3;
    s.batch = 2;
    s.patch = 16;
    s.learning_rate = run == 0 ? 0.01 : 0.0;
    trainer.start (s, [&] (const TrainingReport &r) {
      ASSERT_TRUE (r.error.empty ()) << r.error;
      if (r.saved)
        saved_step = r.step;
      last_step = r.step;
    });
    ASSERT_TRUE (trainer.offer (scene.data (), kW, kH));
    const auto end = std::chrono::steady_clock::now () + std::chrono::seconds (60);
    while (saved_step < 3 * (run + 1) && std::chrono::steady_clock::now () < end)
      std::this_thread::sleep_for (std::chrono::milliseconds (10));
    trainer.finish ();
    ASSERT_GE (saved_step, 3 * (run + 1)) << "run " << run;
    ASSERT_EQ (last_step.load (), saved_step.load ()) << "the last report is the last write";
    ModelClient written;
    written.load (location_);
    EXPECT_EQ (written.describe ().steps, init_steps + saved_step) << "run " << run;
    EXPECT_EQ (weights_of (written) == weights_of (init), run == 1) << "run " << run;
  }
  EXPECT_FALSE (trainer.offer (scene.data (), kW, kH)) << "no run, no frames taken";
}
