/* Frame <-> packed pixels in the model's channel order (R, G, B or gray), for every format
 * the elements accept: GRAY8, the packed 8-bit RGB family and the 4:2:0 formats decoders
 * give (I420, YV12, NV12, NV21: converted through the frame's colorimetry; a gray model reads
 * luma). Only the pixels asked for are touched; the alpha byte of a filled pixel is set
 * opaque, every other byte is left alone, except that in 4:2:0 a chroma sample shared with
 * a written pixel becomes its 2x2 block's mean. */
#pragma once

#include <gst/video/video.h>

#include <cstdint>
#include <vector>

namespace pixelrnn {

/* The formats a model with `channels` colour channels accepts, as a caps string list. */
const char *formats_for_channels (int channels);
/* Whether `format` carries what a `channels`-channel model reads. */
bool format_fits_channels (GstVideoFormat format, int channels);
/* Video caps (any size and rate) in the formats for `channels`; 0 = all supported formats. */
GstCaps *caps_for_channels (int channels);
/* Template caps string: every supported format. */
#define PIXELRNN_VIDEO_FORMATS "{ GRAY8, RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21 }"
/* I420, YV12, NV12 or NV21. */
bool is_yuv420 (GstVideoFormat format);

/* Reads the rectangle (x, y, w, h) of `frame` into `out` (w * h * channels). */
void read_region (const GstVideoFrame *frame, int x, int y, int w, int h, int channels,
    uint8_t *out);
/* Writes `pixels` (w * h * channels) into the rectangle where `mask` is non-zero. */
void write_masked (GstVideoFrame *frame, int x, int y, int w, int h, int channels,
    const uint8_t *pixels, const uint8_t *mask);
/* The whole frame reduced to w x h by averaging the source pixels each output pixel covers
 * (box filter; w and h at most the frame's size). */
void read_scaled (const GstVideoFrame *frame, int w, int h, int channels, uint8_t *out);
/* pixelrnnlikelihood's automatic analysis size, in pixels: what the shipped natural model
 * scores at video rate (docs/benchmarks.md). */
#define PIXELRNN_AUTO_ANALYSIS_PIXELS 2048

/* The size frames are analysed at: `want_w` x `want_h` where given (> 0, at most the frame),
 * else about `auto_pixels` pixels in all keeping the frame's aspect ratio, never upscaled.
 * pixelrnnlikelihood scores at this size and pixelrnntrain trains at it, so that a scene
 * model learns the scale it is used at. */
void analysis_size (int frame_w, int frame_h, int want_w, int want_h, int auto_pixels, int &w, int &h);

/* Whether `frame`'s visible bytes equal `previous` (a frozen source repeats a frame byte
 * for byte); then keeps them in `previous` for the next call. False on the first call. */
bool repeats_previous (const GstVideoFrame *frame, std::vector<uint8_t> &previous);

/* Marks (sets to 1) the pixels whose alpha is 0; returns false if the format has no alpha. */
bool alpha_holes (const GstVideoFrame *frame, std::vector<uint8_t> &mask);

}  // namespace pixelrnn

namespace pixelrnn {

/* Blends a per-pixel map (bits per dimension, `mw` x `mh`, stretched over the frame) into
 * the frame: blue (0 bits) to red (`max_bits` and above), half transparent; gray for 1 channel. */
void blend_heatmap (GstVideoFrame *frame, const float *bits, int mw, int mh, int channels,
    float max_bits);

}  // namespace pixelrnn
