#include "files.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pixelrnn {

namespace {

std::string
what_it_is (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a regular file";
}

FileError
error (const std::string &path, const std::string &why)
{
  return FileError (path + ": " + why);
}

void
write_all (int fd, const std::string &bytes, const std::string &path)
{
  if (!write_fully (fd, bytes))
    throw error (path, std::string ("write failed: ") + std::strerror (errno));
}

// Where a chain of symlinks ends, even when its last target does not exist yet: a new
// output written through a link must land at the link's target, never replace the link.
std::string
follow_links (std::string path)
{
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat (path.c_str (), &st) != 0 || !S_ISLNK (st.st_mode))
      return path;
    char target[PATH_MAX];
    const ssize_t n = ::readlink (path.c_str (), target, sizeof target - 1);
    if (n < 0)
      return path;
    target[n] = '\0';
    if (target[0] == '/') {
      path = target;
    } else {
      const size_t slash = path.rfind ('/');
      path = (slash == std::string::npos ? std::string () : path.substr (0, slash + 1)) + target;
    }
  }
  throw error (path, "too many levels of symbolic links");
}

}  // namespace

bool
write_fully (int fd, const std::string &bytes)
{
  size_t done = 0;
  while (done < bytes.size ()) {
    const ssize_t n = ::write (fd, bytes.data () + done, bytes.size () - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = ENOSPC;
      return false;
    }
    done += static_cast<size_t> (n);
  }
  return true;
}

uint64_t
require_regular_file (const std::string &path, const std::string &kind)
{
  struct stat st;
  if (::stat (path.c_str (), &st) != 0)
    throw error (path, errno == ENOENT ? "no such " + kind : "cannot open: " + std::string (std::strerror (errno)));
  if (S_ISDIR (st.st_mode))
    throw error (path, "is a folder, not a " + kind);
  if (!S_ISREG (st.st_mode))
    throw error (path, "not a regular file but " + what_it_is (st.st_mode) + " (a " + kind +
        " is read only from a regular file: a FIFO could block and a device never end)");
  return (uint64_t) st.st_size;
}

std::string
read_regular_file (const std::string &path, uint64_t limit, const std::string &kind)
{
  const uint64_t size = require_regular_file (path, kind);
  if (size > limit)
    throw error (path, "too large for a " + kind + " (" + std::to_string (size) + " bytes; the limit is " +
        std::to_string (limit) + ")");
  // O_NONBLOCK: should the file have become a FIFO since stat, open does not wait for a writer.
  const int fd = ::open (path.c_str (), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw error (path, "cannot open: " + std::string (std::strerror (errno)));
  std::string in;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read (fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int e = errno;
      ::close (fd);
      throw error (path, "cannot read: " + std::string (std::strerror (e)));
    }
    if (n == 0)
      break;
    in.append (buffer, (size_t) n);
    if (in.size () > limit) {
      ::close (fd);
      throw error (path, "too large for a " + kind + " (it grew while being read)");
    }
  }
  ::close (fd);
  return in;
}

void
write_file_atomic (const std::string &path, const std::string &bytes)
{
  struct stat st;
  std::string target;
  if (::stat (path.c_str (), &st) == 0) {
    if (S_ISDIR (st.st_mode))
      throw error (path, "is a folder; give a file name");
    if (!S_ISREG (st.st_mode)) {
      // A device or FIFO the user chose on purpose: write into it, never replace it. A FIFO
      // without a reader is an error at once, not a hang.
      const int fd = ::open (path.c_str (), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0)
        throw error (path, errno == ENXIO ? "a FIFO with no reader" : "cannot write: " + std::string (std::strerror (errno)));
      ::fcntl (fd, F_SETFL, ::fcntl (fd, F_GETFL) & ~O_NONBLOCK);
      try {
        write_all (fd, bytes, path);
      } catch (...) {
        ::close (fd);
        throw;
      }
      if (::close (fd) != 0)
        throw error (path, "cannot finish writing: " + std::string (std::strerror (errno)));
      return;
    }
  }
  // A symlink (to a file or to a name not written yet): write what it points to, keep the link.
  target = follow_links (path);
  std::vector<char> name (target.begin (), target.end ());
  const std::string suffix = ".tmp-XXXXXX";
  name.insert (name.end (), suffix.begin (), suffix.end ());
  name.push_back ('\0');
  const int fd = ::mkstemp (name.data ());
  if (fd < 0)
    throw error (path, "cannot write: " + std::string (std::strerror (errno)));
  try {
    write_all (fd, bytes, path);
    ::fchmod (fd, 0644);
    if (::fsync (fd) != 0)
      throw error (path, "cannot finish writing: " + std::string (std::strerror (errno)));
  } catch (...) {
    ::close (fd);
    ::unlink (name.data ());
    throw;
  }
  if (::close (fd) != 0 || std::rename (name.data (), target.c_str ()) != 0) {
    const int e = errno;
    ::unlink (name.data ());
    throw error (path, "cannot finish writing: " + std::string (std::strerror (e)));
  }
}

void
refuse_same_file (const std::string &output, const std::string &input)
{
  struct stat out, in;
  if (::stat (output.c_str (), &out) == 0 && ::stat (input.c_str (), &in) == 0 && S_ISREG (out.st_mode) &&
      out.st_dev == in.st_dev && out.st_ino == in.st_ino)
    throw error (output, "is the input " + input + "; writing it would destroy it (give another name)");
}

}  // namespace pixelrnn
