/* GTypes of the elements' enum properties; one line each, details in docs/elements.md. */
#include "gstpixelrnnenums.h"

GType
gst_pixelrnn_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_PIXELRNN_MODE_SAMPLE, "Draw each value from the model at 'temperature'", "sample"},
    {GST_PIXELRNN_MODE_GREEDY, "Take the most likely value at each step", "greedy"},
    {GST_PIXELRNN_MODE_BEST_OF,
        "Draw 'candidates' fills; keep the one the model finds most likely", "best-of"},
    {GST_PIXELRNN_MODE_MEAN,
        "Take each value's posterior mean in raster order: smooth, the model's best PSNR", "mean"},
    {GST_PIXELRNN_MODE_DIRECT,
        "The inpainting conditioner's posterior mean, reading every side of the hole", "direct"},
    {GST_PIXELRNN_MODE_AUTO,
        "direct when the model has an inpainting conditioner, else greedy", "auto"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPixelrnnMode", values));
  return type;
}

GType
gst_pixelrnn_score_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_PIXELRNN_SCORE_BITS_PER_DIM, "The frame's mean NLL, bits/dim", "bits-per-dim"},
    {GST_PIXELRNN_SCORE_PEAK, "Highest mean NLL over local windows (or tiles), bits/dim", "peak"},
    {GST_PIXELRNN_SCORE_COMPLEXITY,
        "Bits/dim minus PNG's bits/dim of the same pixels (Serra et al. 2020)", "complexity"},
    {GST_PIXELRNN_SCORE_ZSCORE,
        "Two-sided deviation of bits/dim from the last 'window' frames", "zscore"},
    {GST_PIXELRNN_SCORE_BLOCKINESS,
        "NLL on 8x8 block edges above the blocks' insides, worst 1% of blocks, bits/dim "
        "(codec damage; needs every pixel)", "blockiness"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPixelrnnScore", values));
  return type;
}

GType
gst_pixelrnn_action_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_PIXELRNN_ACTION_NONE, "Pass every frame", "none"},
    {GST_PIXELRNN_ACTION_DROP, "Drop anomalous frames", "drop"},
    {GST_PIXELRNN_ACTION_GATE, "Pass only anomalous frames", "gate"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPixelrnnAction", values));
  return type;
}

GType
gst_pixelrnn_draw_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_PIXELRNN_DRAW_NONE, "Leave the pixels untouched", "none"},
    {GST_PIXELRNN_DRAW_HEATMAP, "Blend the per-pixel NLL map into the frame", "heatmap"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPixelrnnDraw", values));
  return type;
}
