// The row loops of frame scoring on plain floats (no LibTorch): built with fast math so that
// their loops over a row's pixels become vector code, expf and logf glibc's vector versions.
#pragma once

#include "scoring/frame_plan.h"

namespace pixelrnn {

// One output row of a planned layer, row y: output o's row at out + o * out_stride. Channel i
// of the input is the plane at in + i * plane (rows of `width` floats), and so is channel o of
// `residual` (or null); rows above the first read as zero.
void layer_row (const PlanLayer &layer, const float *in, const float *residual, long plane,
    int y, int width, float *out, long out_stride);

// Adds -log p of one colour channel's observed values along a row, nats, to nll[x].
// params: this channel's P parameter rows (row j at params + j * stride); known: the scaled
// rows of the pixel's earlier channels (c of them); values: the observed values as floats.
void mixture_nll_row (const float *params, int stride, int c, const float *const *known,
    const float *values, int mixtures, int width, float *nll);

}  // namespace pixelrnn
