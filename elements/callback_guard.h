/* Every function GStreamer calls into an element goes through one of these, so that no C++
 * exception ever crosses into GStreamer's C code:
 *
 *   guarded ()        streaming and state callbacks: an exception becomes GST_ELEMENT_ERROR
 *                     naming the callback, and the callback returns its failure value;
 *   guarded_query ()  caps queries and property access: a query is a question, so an
 *                     exception is logged and answered with the failure value, never an error.
 *
 * Locks taken inside the body must be RAII (ObjectLock, std::lock_guard) so that nothing
 * stays locked on the way out. */
#pragma once

#include <gst/gst.h>

#include <exception>
#include <new>
#include <utility>

namespace pixelrnn {

/* GST_OBJECT_LOCK for a scope. */
class ObjectLock {
 public:
  explicit ObjectLock (gpointer object) : object_ (GST_OBJECT (object)) { GST_OBJECT_LOCK (object_); }
  ~ObjectLock () { GST_OBJECT_UNLOCK (object_); }
  ObjectLock (const ObjectLock &) = delete;
  ObjectLock &operator= (const ObjectLock &) = delete;

 private:
  GstObject *object_;
};

void post_callback_error (GstElement *element, const char *callback, const char *what);
void log_callback_exception (GstElement *element, const char *callback, const char *what);

/* Tests only: makes the next guarded call of `callback` (e.g. "transform_frame_ip") throw
 * std::bad_alloc before its body runs, as an allocation failure would. NULL disarms. */
void inject_fault (const char *callback);
void maybe_inject_fault (const char *callback);

template <typename Result, typename Body>
Result
guarded (gpointer element, const char *callback, Result failed, Body &&body) noexcept
{
  try {
    maybe_inject_fault (callback);
    return std::forward<Body> (body) ();
  } catch (const std::bad_alloc &) {
    post_callback_error (GST_ELEMENT (element), callback, "out of memory");
  } catch (const std::exception &e) {
    post_callback_error (GST_ELEMENT (element), callback, e.what ());
  } catch (...) {
    post_callback_error (GST_ELEMENT (element), callback, "unknown exception");
  }
  return failed;
}

template <typename Result, typename Body>
Result
guarded_query (gpointer element, const char *callback, Result failed, Body &&body) noexcept
{
  try {
    maybe_inject_fault (callback);
    return std::forward<Body> (body) ();
  } catch (const std::exception &e) {
    log_callback_exception (GST_ELEMENT (element), callback, e.what ());
  } catch (...) {
    log_callback_exception (GST_ELEMENT (element), callback, "unknown exception");
  }
  return failed;
}

}  // namespace pixelrnn
