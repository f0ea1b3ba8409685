/* PIXELRNN_NLL_DUMP=FILE: pixelrnnlikelihood appends every scored frame's per-pixel NLL map to
 * FILE, for analysis outside the element (docs/eval/calibration_drift.py): per frame an int32
 * width, an int32 height (native byte order), then width x height float32, bits summed over
 * channels, row-major. A debugging aid in the way of GStreamer's GST_DEBUG_DUMP_DOT_DIR: off
 * unless the variable is set, and a file that cannot be written is a warning, never an error. */
#pragma once

#include "anomaly_scoring.h"

#include <gst/gst.h>

namespace pixelrnn {

/* Appends `map` to the file PIXELRNN_NLL_DUMP names, if it is set. `warned` keeps the
 * warning about an unwritable file to once per element. */
void dump_nll_map (GstElement *element, const NllMap &map, bool &warned);

}  // namespace pixelrnn
