#include "training/frame_feed.h"

#include <algorithm>

namespace pixelrnn {

FrameFeed::FrameFeed (int channels, int queue_size, int replay_size)
    : channels_ (channels), queue_size_ ((size_t) std::max (1, queue_size)),
      replay_size_ ((size_t) std::max (1, replay_size))
{
}

bool
FrameFeed::offer (const uint8_t *pixels, int width, int height)
{
  std::lock_guard<std::mutex> lock (mutex_);
  if (closed_ || queue_.size () >= queue_size_) {
    ++skipped_;
    return false;
  }
  auto frame = torch::from_blob (const_cast<uint8_t *> (pixels), {height, width, channels_},
      torch::kUInt8).permute ({2, 0, 1}).clone ();
  queue_.push_back (std::move (frame));
  ++seen_;
  wake_.notify_one ();
  return true;
}

void
FrameFeed::close ()
{
  {
    std::lock_guard<std::mutex> lock (mutex_);
    closed_ = true;
  }
  wake_.notify_all ();
}

const std::vector<torch::Tensor> *
FrameFeed::frames (bool &waited)
{
  std::unique_lock<std::mutex> lock (mutex_);
  waited = !closed_ && queue_.empty () && replay_.empty ();
  wake_.wait (lock, [&] { return closed_ || !queue_.empty () || !replay_.empty (); });
  if (closed_)
    return nullptr;
  for (; !queue_.empty (); queue_.pop_front ()) {
    if (replay_.size () < replay_size_)
      replay_.push_back (std::move (queue_.front ()));
    else
      replay_[replay_next_++ % replay_.size ()] = std::move (queue_.front ());
  }
  return &replay_;
}

uint64_t
FrameFeed::images_seen () const
{
  std::lock_guard<std::mutex> lock (mutex_);
  return seen_;
}

uint64_t
FrameFeed::frames_skipped () const
{
  std::lock_guard<std::mutex> lock (mutex_);
  return skipped_;
}

}  // namespace pixelrnn
