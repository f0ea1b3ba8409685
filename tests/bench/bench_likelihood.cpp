// pixelrnnlikelihood benchmark: frames/s on 640x480 RGB frames of a real photograph, at the
// default analysis size and with tiles at full resolution, through a real pipeline
// (filesrc ! pngdec ! imagefreeze ! pixelrnnlikelihood ! fakesink).
//
//   bench-likelihood PHOTO.png [frames=30] [repeats=3]
#include "frame_pixels.h"
#include "generation/dense_step.h"
#include "generation/incremental_engine.h"
#include "gstpixelrnnlikelihood.h"
#include "io/model_file.h"
#include "scoring/frame_plan_from_model.h"
#include "scoring/frame_scorer.h"

#include <gst/gst.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

static double
run_seconds (const std::string &launch)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch.c_str (), &error);
  if (!pipeline) {
    std::fprintf (stderr, "bench-likelihood: %s\n", error->message);
    std::exit (1);
  }
  auto start = std::chrono::steady_clock::now ();
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const double s = std::chrono::duration<double> (std::chrono::steady_clock::now () - start).count ();
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err;
    gst_message_parse_error (msg, &err, NULL);
    std::fprintf (stderr, "bench-likelihood: %s\n", err->message);
    std::exit (1);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return s;
}

// Minor page faults of this process so far: each is a page the kernel had to hand over,
// which buffer reuse avoids.
using namespace pixelrnn;

static long
minor_faults ()
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  GST_ELEMENT_REGISTER (pixelrnnlikelihood, NULL);
  if (argc < 2) {
    std::fprintf (stderr, "usage: bench-likelihood PHOTO.png [frames] [repeats]\n");
    return 2;
  }
  const std::string photo = argv[1];
  const int frames = argc > 2 ? std::atoi (argv[2]) : 30;
  const int repeats = argc > 3 ? std::atoi (argv[3]) : 3;
  auto source = [&] (int n) {
    return "filesrc location=\"" + photo + "\" ! pngdec ! videoconvert ! videoscale ! "
        "video/x-raw,format=RGB,width=640,height=480 ! imagefreeze num-buffers=" +
        std::to_string (n) + " ! ";
  };
  std::printf ("| configuration | frames/s | ms/frame | minor page faults per frame |\n|---|---|---|---|\n");
  double default_fps = 0;
  // natural on its thumbnail (the default below 640x480; at 640x480 the default is
  // natural-full at every pixel, measured below), and natural in full-resolution tiles.
  const char *thumbnail = "model=natural";
  for (const char *config : {thumbnail, "tiles=true", "tiles=true tile-size=64"}) {
    // Full-resolution tiles take seconds a frame: fewer frames there.
    const bool tiles = config != thumbnail;
    const int n = tiles ? std::max (2, frames / 10) : frames;
    const long base_faults = minor_faults ();
    const double base = run_seconds (source (n) + "fakesink");
    const long faults_without = minor_faults () - base_faults;
    std::vector<double> fps, faults;
    for (int r = 0; r < repeats; ++r) {
      const long before = minor_faults ();
      const double s = run_seconds (source (n) + "pixelrnnlikelihood " + config + " ! fakesink") - base;
      fps.push_back (n / s);
      // The element's share: the same pipeline without it faults this much too.
      faults.push_back ((double) (minor_faults () - before - faults_without) / n);
    }
    std::sort (faults.begin (), faults.end ());
    std::sort (fps.begin (), fps.end ());
    const double median = fps[fps.size () / 2];
    const double faults_median = faults[faults.size () / 2];
    if (!tiles)
      default_fps = median;
    std::printf ("| 640x480 RGB, %s | %.1f | %.1f | %.0f |\n", config, median, 1000.0 / median, faults_median);
    std::printf ("@json {\"bench\": \"likelihood\", \"config\": \"%s\", \"fps\": %.3f, "
        "\"minor_faults_per_frame\": %.1f}\n", config, median, faults_median);
    std::fflush (stdout);
  }

  // How close the default configuration is to the physical limit: the shipped model's useful
  // multiply-adds per analysed frame (counted by the incremental engine, which skips masked
  // taps) times frames/s, against dense torch::mm measured in this run.
  int w = 0, h = 0;
  analysis_size (640, 480, 0, 0, PIXELRNN_AUTO_ANALYSIS_PIXELS, w, h);
  auto loaded = load_model (resolve_model ("natural"));
  loaded.model->eval ();
  torch::NoGradGuard no_grad;
  IncrementalEngine engine (loaded.model);
  engine.logits (torch::randint (0, 256, {1, loaded.config.channels, h, w}, torch::kUInt8));
  const double frame_gflop = engine.last_flops () / 1e9;
  const double dense = dense_matmul_gflops (512, 20);
  const double achieved = frame_gflop * default_fps;
  std::printf ("\nThumbnail: %dx%d analysed, %.3f GFLOP per frame (natural model) x %.1f frames/s = "
      "%.2f GFLOP/s; dense torch::mm 512^3 %.1f GFLOP/s (%d threads): %.0f%% of the limit, "
      "which would be %.0f frames/s\n", w, h, frame_gflop, default_fps, achieved, dense,
      torch::get_num_threads (), 100.0 * achieved / dense, dense / frame_gflop);
  std::printf ("@json {\"bench\": \"likelihood-limit\", \"analysis_width\": %d, \"analysis_height\": %d, "
      "\"gflop_per_frame\": %.4f, \"fps\": %.3f, \"gflops\": %.3f, \"dense_gflops\": %.3f}\n", w, h,
      frame_gflop, default_fps, achieved, dense);

  // Every pixel (the default from 640x480): natural-full through the frame scorer, on a static
  // scene (every row reused), a moving one (a scrolling test pattern: every row changes) and
  // noise, at 640x480 and 1280x720; frames/s with the source's own cost taken out.
  auto full = load_model (resolve_model ("natural-full"));
  const double full_gflop_per_pixel = 2.0 * FrameScorer (make_frame_plan (full.model)).multiply_adds_per_pixel () / 1e9;
  std::printf ("\n| every pixel, natural-full | scene | frames/s | ms/frame | GFLOP/s (share of dense torch::mm) |\n|---|---|---|---|---|\n");
  for (auto [fw, fh] : {std::pair{640, 480}, std::pair{1280, 720}}) {
    const std::string caps = "video/x-raw,format=RGB,width=" + std::to_string (fw) + ",height=" +
        std::to_string (fh) + " ! ";
    const std::pair<const char *, std::string> scenes[] = {
        {"static", "filesrc location=\"" + photo + "\" ! pngdec ! videoconvert ! videoscale ! " + caps +
            "imagefreeze num-buffers=%d ! "},
        {"moving", "videotestsrc pattern=smpte horizontal-speed=8 num-buffers=%d ! " + caps},
        {"noise", "videotestsrc pattern=snow num-buffers=%d ! " + caps}};
    for (const auto &[scene, pattern] : scenes) {
      const int n = frames;
      char launch[1024];
      std::snprintf (launch, sizeof launch, pattern.c_str (), n);
      const double base = run_seconds (std::string (launch) + "fakesink");
      std::vector<double> fps;
      for (int r = 0; r < repeats; ++r)
        fps.push_back (n / (run_seconds (std::string (launch) + "pixelrnnlikelihood model=natural-full ! fakesink") - base));
      std::sort (fps.begin (), fps.end ());
      const double median = fps[fps.size () / 2];
      const double gflops = std::string (scene) == "static" ? 0.0 : median * full_gflop_per_pixel * fw * fh;
      std::printf ("| %dx%d | %s | %.1f | %.1f | %.1f (%.0f%%) |\n", fw, fh, scene, median, 1000.0 / median,
          gflops, 100.0 * gflops / dense);
      std::printf ("@json {\"bench\": \"likelihood-every-pixel\", \"size\": \"%dx%d\", \"scene\": \"%s\", "
          "\"fps\": %.3f}\n", fw, fh, scene, median);
      std::fflush (stdout);
    }
  }
  return 0;
}
