// One way to read and one way to write the project's own files (models, calibrations, labels,
// CSV, pictures), so the rules live in one place: a FIFO, device or folder is never read as
// data, sizes are checked before reading, an output never replaces a device, a symlink or
// its own input, and a failed write is an error, never a silent truncation.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace pixelrnn {

// What went wrong with which file; what () starts with the path.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The whole of `path`, read only when it is a regular file (or a symlink to one) of at most
// `limit` bytes; `kind` names it in messages ("calibration file"). Throws FileError:
// "PATH: no such calibration file", "PATH: is a FIFO, not a calibration file", "... too large".
std::string read_regular_file (const std::string &path, uint64_t limit, const std::string &kind);

// read_regular_file's checks without the reading, for files another reader opens (a video
// the decoder streams): throws FileError unless `path` is a regular file (or a symlink to
// one); returns its size.
uint64_t require_regular_file (const std::string &path, const std::string &kind);

// All of `bytes` into `fd`, again after EINTR and short writes; false with errno set when the
// file takes no more (a full disk: ENOSPC).
bool write_fully (int fd, const std::string &bytes);

// Writes `bytes` to `path` so that no reader ever sees half of it: a regular file (or what a
// symlink points to; the link stays) is replaced atomically by a uniquely named temporary
// file beside it (mkstemp, fsync, rename); a device or FIFO (/dev/stdout, /dev/null) is
// written in place and never replaced; a folder is refused. Every write is checked (a full
// disk is an error naming the path). Throws FileError.
void write_file_atomic (const std::string &path, const std::string &bytes);

// Throws FileError when `output` is the same file as `input` (same device and inode): an
// output must never destroy the input it is computed from.
void refuse_same_file (const std::string &output, const std::string &input);

}  // namespace pixelrnn
