#include "model_reloader.h"

#include "api/model_client.h"

#include <glib/gstdio.h>
#include <stdexcept>
#include <sys/stat.h>

namespace pixelrnn {

void
ModelReloader::start ()
{
  std::lock_guard<std::mutex> guard (lock_);
  accepting_ = true;
  swaps_ = 0;
}

void
ModelReloader::request (const std::string &name, int channels)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (!accepting_)
    return;                       /* not started: start() loads the model itself */
  wanted_ = name;
  channels_ = channels;
  ++requested_;
  if (running_)
    return;                       /* the loader sees the new request when it finishes */
  if (loader_.joinable ())
    loader_.join ();              /* a finished loader */
  running_ = true;
  loader_ = std::thread (&ModelReloader::run, this);
}

void
ModelReloader::run ()
{
  while (true) {
    guint64 generation;
    std::string name;
    int channels;
    {
      std::lock_guard<std::mutex> guard (lock_);
      generation = requested_;
      name = wanted_;
      channels = channels_;
    }
    try {
      auto client = std::make_shared<ModelClient> ();
      client->load (name);
      if (client->channels () != channels)
        throw std::runtime_error (client->path () + " has " + std::to_string (client->channels ()) +
            " channel(s) but the stream is negotiated for " + std::to_string (channels));
      std::lock_guard<std::mutex> guard (lock_);
      pending_ = std::move (client);
    } catch (const std::exception &e) {
      GST_ELEMENT_WARNING (element_, RESOURCE, OPEN_READ,
          ("Could not switch to the PixelRNN model \"%s\"; the model in use stays.", name.c_str ()),
          ("%s", e.what ()));
    }
    std::lock_guard<std::mutex> guard (lock_);
    if (generation == requested_) {
      running_ = false;
      return;
    }
  }
}

std::shared_ptr<ModelClient>
ModelReloader::take ()
{
  std::lock_guard<std::mutex> guard (lock_);
  return std::move (pending_);
}

std::shared_ptr<ModelClient>
ModelReloader::next_model (bool reload, const std::string &name, int channels)
{
  if (reload && file_changed ()) {
    GST_INFO_OBJECT (element_, "model file changed on disk: reloading it");
    request (name, channels);
  }
  auto fresh = take ();
  if (!fresh)
    return nullptr;
  watch (fresh->path ());
  ++swaps_;
  GST_INFO_OBJECT (element_, "now using %s (%s)", fresh->path ().c_str (), fresh->summary ().c_str ());
  gst_element_post_message (element_, gst_message_new_element (GST_OBJECT (element_),
      gst_structure_new ("pixelrnn-model", "model", G_TYPE_STRING, fresh->path ().c_str (),
          "summary", G_TYPE_STRING, fresh->summary ().c_str (), "swaps", G_TYPE_UINT, swaps_,
          NULL)));
  return fresh;
}

void
ModelReloader::stop ()
{
  std::thread loader;
  {
    std::lock_guard<std::mutex> guard (lock_);
    accepting_ = false;
    loader = std::move (loader_);
  }
  if (loader.joinable ())
    loader.join ();
  std::lock_guard<std::mutex> guard (lock_);
  running_ = false;
  pending_.reset ();
}

ModelReloader::Stamp
ModelReloader::stamp_of (const std::string &path)
{
  Stamp s;
  GStatBuf st;
  if (g_stat (path.c_str (), &st) == 0) {
    s.inode = st.st_ino;
    s.size = st.st_size;
    s.mtime_ns = (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  }
  return s;
}

void
ModelReloader::watch (const std::string &path)
{
  watched_ = path;
  stamp_ = stamp_of (path);
  last_look_us_ = g_get_monotonic_time ();
}

bool
ModelReloader::file_changed ()
{
  const gint64 now = g_get_monotonic_time ();
  if (watched_.empty () || now - last_look_us_ < G_USEC_PER_SEC)
    return false;
  last_look_us_ = now;
  const Stamp s = stamp_of (watched_);
  if (s.size < 0 || s == stamp_)
    return false;                 /* unchanged, or gone for a moment during a replace */
  stamp_ = s;
  return true;
}

}  // namespace pixelrnn
