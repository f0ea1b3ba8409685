/* Hot reload: a replacement model is loaded off the streaming thread (a property change in
 * PLAYING, or the model file replaced on disk with reload=true) and handed to the streaming
 * thread, which swaps it in at the next frame boundary. A model that fails to load, or whose
 * channels do not fit the negotiated stream, leaves the one in use and posts a warning. */
#pragma once

#include <gst/gst.h>

#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>

namespace pixelrnn {

class ModelClient;

class ModelReloader {
 public:
  explicit ModelReloader (GstElement *element) : element_ (element) {}
  ~ModelReloader () { stop (); }
  ModelReloader (const ModelReloader &) = delete;
  ModelReloader &operator= (const ModelReloader &) = delete;

  /* Requests are taken from start() (the first model loaded) until stop(). */
  void start ();
  /* Loads `name` (path or shipped name) in the background; it must have `channels`. A request
   * made while one loads is taken up after it (the last request wins). */
  void request (const std::string &name, int channels);
  /* The replacement loaded since the last call, or NULL. Streaming thread. */
  std::shared_ptr<ModelClient> take ();
  /* Once per frame on the streaming thread: with `reload`, asks for `name` again if its file
   * changed; then returns a replacement that finished loading (already watched, announced in
   * a pixelrnn-model message with the count of swaps), or NULL. The caller swaps it in. */
  std::shared_ptr<ModelClient> next_model (bool reload, const std::string &name, int channels);
  /* Waits for a load in progress; later requests start a new one. */
  void stop ();

  /* reload=true: remember `path`'s identity (inode, size, modification time) ... */
  void watch (const std::string &path);
  /* ... and say whether it changed, looking at most once a second (a stat, no main loop
   * needed, so it works in applications that never run a GMainContext). */
  bool file_changed ();

 private:
  struct Stamp {
    ino_t inode = 0;
    off_t size = -1;
    gint64 mtime_ns = 0;
    bool operator== (const Stamp &o) const
    { return inode == o.inode && size == o.size && mtime_ns == o.mtime_ns; }
  };
  static Stamp stamp_of (const std::string &path);
  void run ();

  GstElement *element_;
  std::mutex lock_;
  std::thread loader_;
  bool running_ = false;
  bool accepting_ = false;
  guint64 requested_ = 0;
  std::string wanted_;
  int channels_ = 0;
  std::shared_ptr<ModelClient> pending_;
  std::string watched_;              /* streaming thread only */
  guint swaps_ = 0;                  /* streaming thread only; since start() */
  Stamp stamp_;
  gint64 last_look_us_ = 0;
};

}  // namespace pixelrnn
