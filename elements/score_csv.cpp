#include "score_csv.h"

#include "api/files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pixelrnn {

ScoreCsv::ScoreCsv (std::string path, std::string header)
    : path_ (std::move (path)), header_ (std::move (header))
{
}

ScoreCsv::~ScoreCsv ()
{
  if (fd_ >= 0)
    ::close (fd_);
}

void
ScoreCsv::fail (const char *what)
{
  const int err = errno;
  if (fd_ >= 0)
    ::close (fd_);
  fd_ = -1;
  throw CsvError ("\"" + path_ + "\": " + what + ": " + std::strerror (err));
}

void
ScoreCsv::open ()
{
  if (fd_ >= 0)
    return;
  /* No O_TRUNC: the file is emptied only when the first row is ready. O_NONBLOCK: a FIFO
   * without a reader is an error now, not a hang. */
  fd_ = ::open (path_.c_str (), O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (errno == ENXIO)
      throw CsvError ("\"" + path_ + "\": a FIFO with no reader");
    fail (errno == EISDIR ? "is a folder, give a file name" : "cannot open for writing");
  }
  ::fcntl (fd_, F_SETFL, ::fcntl (fd_, F_GETFL) & ~O_NONBLOCK);
  struct stat st;
  if (::fstat (fd_, &st) != 0)
    fail ("cannot open for writing");
  regular_ = S_ISREG (st.st_mode);
  /* One writer per file: a second element or process writing the same file would interleave
   * or lose rows. */
  if (regular_ && ::flock (fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close (fd_);
    fd_ = -1;
    throw CsvError ("\"" + path_ + "\": " + (err == EWOULDBLOCK
        ? std::string ("another element or process is writing this file; give each its own location")
        : std::string ("cannot lock: ") + std::strerror (err)));
  }
}

/* All of `bytes` or an error; a regular file is cut back to its last whole row first, so a
 * full disk never leaves half a row behind. */
void
ScoreCsv::write_whole (const std::string &bytes)
{
  if (!pixelrnn::write_fully (fd_, bytes)) {
    const int err = errno;
    if (regular_ && ::ftruncate (fd_, whole_rows_) == 0)
      ::lseek (fd_, whole_rows_, SEEK_SET);
    errno = err;
    fail ("cannot write");
  }
  whole_rows_ += (off_t) bytes.size ();
}

void
ScoreCsv::write_row (const std::string &row)
{
  if (!started_) {
    if (fd_ < 0)
      open ();
    if (regular_ && ::ftruncate (fd_, 0) != 0)
      fail ("cannot write");
    started_ = true;
    whole_rows_ = 0;
    if (!header_.empty ())
      write_whole (header_ + "\n");
  }
  write_whole (row + "\n");
}

void
ScoreCsv::close ()
{
  if (fd_ < 0)
    return;
  const int fd = fd_;
  fd_ = -1;
  if (::close (fd) != 0)
    throw CsvError ("\"" + path_ + "\": cannot write: " + std::strerror (errno));
}

}  // namespace pixelrnn
