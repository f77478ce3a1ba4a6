#include "platform/freed_heap.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace psguard {

void return_freed_heap() noexcept {
#if defined(__GLIBC__)
    malloc_trim(0);  // every arena, also the free pages inside the heap (madvise)
#endif
    // Other C libraries (musl) return large freed blocks by themselves.
}

}  // namespace psguard
