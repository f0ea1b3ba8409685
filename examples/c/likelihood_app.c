/* An application that embeds pixelrnnlikelihood: builds a pipeline, sets properties, reads
 * the score of every frame twice, from the GstPixelrnnLikelihoodMeta on the buffers and from
 * the "pixelrnn-likelihood" messages on the bus, and checks that they agree.
 *
 *   likelihood_app [VIDEO-FILE-OR-URI] [FRAMES]
 *
 * Without a file it scores a videotestsrc pattern. Exit status 0 when every scored frame
 * carried a meta and posted a message with the same bits/dim. */
#include <gst/gst.h>
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <math.h>
#include <stdio.h>

#define MAX_FRAMES 1024

typedef struct {
  GType meta_api;
  double meta_bpd[MAX_FRAMES];      /* from buffers (streaming thread) */
  double message_bpd[MAX_FRAMES];   /* from the bus (this thread) */
  int metas;
} App;

/* fakesink's handoff: the buffer as it leaves the pipeline, with the element's meta. */
static void
on_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad, gpointer user_data)
{
  App *app = user_data;
  GstPixelrnnLikelihoodMeta *meta =
      (GstPixelrnnLikelihoodMeta *) gst_buffer_get_meta (buffer, app->meta_api);
  (void) sink;
  (void) pad;
  if (meta && meta->frame < MAX_FRAMES) {
    app->meta_bpd[meta->frame] = meta->bits_per_dim;
    app->metas++;
  }
}

int
main (int argc, char **argv)
{
  App app = { 0 };
  GError *error = NULL;
  gchar *launch;
  int frames = argc > 2 ? atoi (argv[2]) : 10, messages = 0, mismatches = 0;

  gst_init (&argc, &argv);
  if (argc > 1) {
    gchar *uri = gst_uri_is_valid (argv[1]) ? g_strdup (argv[1]) :
        gst_filename_to_uri (argv[1], NULL);
    launch = g_strdup_printf ("uridecodebin uri=%s ! videoconvert ! videoscale ! "
        "video/x-raw,width=320,height=180 ! pixelrnnlikelihood name=score ! "
        "fakesink name=sink signal-handoffs=true", uri);
    g_free (uri);
  } else {
    launch = g_strdup_printf ("videotestsrc num-buffers=%d pattern=ball ! "
        "video/x-raw,width=160,height=120 ! videoconvert ! pixelrnnlikelihood name=score ! "
        "fakesink name=sink signal-handoffs=true", frames);
  }
  GstElement *pipeline = gst_parse_launch (launch, &error);
  g_free (launch);
  if (!pipeline) {
    fprintf (stderr, "likelihood_app: %s\n", error->message);
    return 1;
  }
  /* Properties are plain GObject properties. */
  GstElement *score = gst_bin_get_by_name (GST_BIN (pipeline), "score");
  gst_util_set_object_arg (G_OBJECT (score), "score", "zscore");
  g_object_set (score, "threshold", 4.0, "window", 30, NULL);
  gst_object_unref (score);

  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &app);
  gst_object_unref (sink);

  /* The meta's API type is registered by the plugin; look it up by name once loaded. */
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  app.meta_api = g_type_from_name (GST_PIXELRNN_LIKELIHOOD_META_API_NAME);

  GstBus *bus = gst_element_get_bus (pipeline);
  int status = 0;
  for (gboolean done = FALSE; !done;) {
    GstMessage *msg = gst_bus_timed_pop (bus, GST_CLOCK_TIME_NONE);
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ELEMENT: {
        const GstStructure *s = gst_message_get_structure (msg);
        if (gst_structure_has_name (s, "pixelrnn-likelihood")) {
          guint64 frame, ts;
          double bpd, z;
          gboolean anomaly;
          gst_structure_get (s, "frame", G_TYPE_UINT64, &frame, "timestamp", G_TYPE_UINT64,
              &ts, "bits-per-dim", G_TYPE_DOUBLE, &bpd, "score", G_TYPE_DOUBLE, &z, "anomaly",
              G_TYPE_BOOLEAN, &anomaly, NULL);
          printf ("frame %3" G_GUINT64_FORMAT "  %" GST_TIME_FORMAT "  %.4f bits/dim  z %+.2f%s\n",
              frame, GST_TIME_ARGS (ts), bpd, z, anomaly ? "  ANOMALY" : "");
          messages++;
          if (frame < MAX_FRAMES)
            app.message_bpd[frame] = bpd;
        }
        break;
      }
      case GST_MESSAGE_ERROR: {
        GError *err;
        gchar *debug;
        gst_message_parse_error (msg, &err, &debug);
        fprintf (stderr, "likelihood_app: %s\n%s\n", err->message, debug ? debug : "");
        g_error_free (err);
        g_free (debug);
        status = 1;
        done = TRUE;
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  /* Both ways of reading the result must tell the same story, frame by frame. */
  for (int i = 0; i < messages && i < MAX_FRAMES; ++i)
    if (fabs (app.meta_bpd[i] - app.message_bpd[i]) > 1e-9)
      mismatches++;
  printf ("%d messages, %d buffers with meta, %d disagree\n", messages, app.metas, mismatches);
  if (status == 0 && (messages == 0 || app.metas != messages || mismatches > 0))
    status = 1;
  return status;
}
