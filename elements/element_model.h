/* What the three elements share about their model: loading it in start() with an error that
 * names it, and caps that follow it (negotiation restricted to the formats the loaded model
 * reads; when a stream cannot match, an error saying which model needs which format instead
 * of a bare not-negotiated). */
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

namespace pixelrnn {

class ModelClient;

/* Loads `name` (path or shipped name) for `element`; on failure posts GST_ELEMENT_ERROR
 * (RESOURCE, OPEN_READ) naming the model and why, and returns NULL. */
std::unique_ptr<ModelClient> load_element_model (GstElement *element, const std::string &name);

/* GstBaseTransform::transform_caps for an in-place filter whose formats follow `client`
 * (all supported formats while no model is loaded). */
GstCaps *model_transform_caps (const ModelClient *client, GstCaps *caps, GstCaps *filter);
/* The same by the model's channels (0: all formats), for pixelrnntrain, whose model is read
 * by its trainer. */
GstCaps *model_transform_caps (int channels, GstCaps *caps, GstCaps *filter);

/* Posts a GST_ELEMENT_ERROR (STREAM, FORMAT) naming the model and the formats it takes if
 * fixed `caps` carry a format the model cannot read; returns whether it did. Only for
 * negotiation results (caps events, set_info), never for queries. */
bool report_unfit_caps (GstElement *element, const ModelClient *client, GstCaps *caps);
bool report_unfit_caps (GstElement *element, int channels, const std::string &path, GstCaps *caps);

/* After a caps query on the sink pad was answered (`answered`): if the answer is empty and
 * every format upstream offered (the query's filter) is one the element reads but the model
 * (`channels`, read from `path`) cannot (a capsfilter forcing RGB before a gray model), posts
 * GST_ELEMENT_ERROR (STREAM, FORMAT) naming the model. Negotiation then cannot succeed
 * whatever else happens, so the error is certain, unlike an ordinary query answer; the
 * source's bare not-negotiated follows it. Posts once: `*said` (read and set under the
 * element's object lock; the element clears it at start) says it already did. */
void report_refused_offer (GstElement *element, GstQuery *answered, int channels,
    const std::string &path, gboolean *said);

}  // namespace pixelrnn
