#include "process_tuning.h"

#include <cstdlib>
#include <dlfcn.h>
#include <malloc.h>

namespace pixelrnn {

void
keep_freed_memory_for_reuse ()
{
  if (std::getenv ("PIXELRNN_SYSTEM_MALLOC"))
    return;
  mallopt (M_MMAP_THRESHOLD, 1 << 30);    // blocks up to 1 GB come from the heap
  mallopt (M_TRIM_THRESHOLD, 1 << 30);    // and stay there when freed
}

bool
set_openblas_threads (int threads)
{
  // Looked up rather than linked: LibTorch reaches OpenBLAS through Debian's libblas.so.3
  // alternative, which may name another BLAS.
  using SetThreads = void (*) (int);
  auto set_threads = reinterpret_cast<SetThreads> (dlsym (RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set_threads)
    return false;
  set_threads (threads);
  return true;
}

bool
leave_parallelism_to_libtorch ()
{
  if (std::getenv ("OPENBLAS_NUM_THREADS") || std::getenv ("GOTO_NUM_THREADS"))
    return false;
  return set_openblas_threads (1);
}

}  // namespace pixelrnn
