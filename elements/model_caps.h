/* Caps that follow the model, shared by the filter elements: restrict negotiation to the
 * formats the loaded model reads, and when a stream cannot match, say which model needs which
 * format instead of a bare not-negotiated. */
#pragma once

#include <gst/gst.h>

namespace pixelrnn {

class ModelClient;

/* GstBaseTransform::transform_caps for an in-place filter whose formats follow `client`
 * (all supported formats while no model is loaded). */
GstCaps *model_transform_caps (const ModelClient *client, GstCaps *caps, GstCaps *filter);

/* Posts a GST_ELEMENT_ERROR (STREAM, FORMAT) naming the model and the formats it takes if
 * fixed `caps` carry a format the model cannot read; returns whether it did. */
bool report_unfit_caps (GstElement *element, const ModelClient *client, GstCaps *caps);

}  // namespace pixelrnn
