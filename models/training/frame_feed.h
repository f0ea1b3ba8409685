// FrameFeed: frames a stream hands to a training run while it trains (pixelrnntrain). offer()
// never waits for training: a full queue refuses the frame. Training batches are cropped
// from a replay buffer of recent frames, so a still scene does not collapse the model onto
// one frame's pixels.
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace pixelrnn {

class FrameFeed {
 public:
  FrameFeed (int channels, int queue_size, int replay_size);

  // Any thread: a packed frame (width x height x channels). False (counted as skipped) when
  // the queue is full or the feed closed.
  bool offer (const uint8_t *pixels, int width, int height);
  // Any thread: frames() returns null from now on, waking a waiting trainer.
  void close ();
  // The training thread: the replay buffer with the queued frames taken in, waiting while
  // there are none. Null once closed. `waited` says whether it had to wait (time not spent
  // training).
  const std::vector<torch::Tensor> *frames (bool &waited);

  uint64_t images_seen () const;
  uint64_t frames_skipped () const;

 private:
  const int channels_;
  const size_t queue_size_, replay_size_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<torch::Tensor> queue_;     // guarded by mutex_
  bool closed_ = false;                 // guarded by mutex_
  uint64_t seen_ = 0, skipped_ = 0;     // guarded by mutex_
  std::vector<torch::Tensor> replay_;   // the training thread's
  size_t replay_next_ = 0;
};

}  // namespace pixelrnn
