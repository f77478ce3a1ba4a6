#include "platform/freed_heap.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace psguard {

void keep_large_blocks_out_of_the_heap() noexcept {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);  // glibc's default, now fixed (no dynamic raise)
#endif
}

void return_freed_heap() noexcept {
#if defined(__GLIBC__)
    malloc_trim(0);  // every arena, also the free pages inside the heap (madvise)
#endif
    // Other C libraries (musl) return large freed blocks by themselves.
}

}  // namespace psguard
