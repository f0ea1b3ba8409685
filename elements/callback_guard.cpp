#include "callback_guard.h"

#include <atomic>
#include <cstring>

GST_DEBUG_CATEGORY_STATIC (pixelrnn_guard_debug);
#define GST_CAT_DEFAULT pixelrnn_guard_debug

namespace pixelrnn {

namespace {

std::atomic<const char *> armed_fault{nullptr};

void
init_debug_category ()
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (pixelrnn_guard_debug, "pixelrnnguard", 0,
        "PixelRNN exceptions caught at GStreamer callbacks");
    g_once_init_leave (&done, 1);
  }
}

}  // namespace

void
post_callback_error (GstElement *element, const char *callback, const char *what)
{
  GST_ELEMENT_ERROR (element, LIBRARY, FAILED, ("Internal error in %s: %s.", callback, what),
      ("exception caught at the %s callback", callback));
}

void
log_callback_exception (GstElement *element, const char *callback, const char *what)
{
  init_debug_category ();
  GST_WARNING_OBJECT (element, "exception in %s: %s", callback, what);
}

void
inject_fault (const char *callback)
{
  armed_fault.store (callback);
}

void
maybe_inject_fault (const char *callback)
{
  const char *armed = armed_fault.load (std::memory_order_relaxed);
  if (armed && std::strcmp (armed, callback) == 0 &&
      armed_fault.compare_exchange_strong (armed, nullptr))
    throw std::bad_alloc ();
}

}  // namespace pixelrnn
