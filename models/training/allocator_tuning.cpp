#include "allocator_tuning.h"

#include <cstdlib>
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

}  // namespace pixelrnn
