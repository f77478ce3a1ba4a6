#include <malloc.h>

#include "platform/freed_heap.hpp"

namespace psguard {

void keep_large_blocks_out_of_the_heap() noexcept {
    // The Windows heap already serves blocks above its VirtualAlloc threshold (about 512 KB on
    // x64) from pages of their own, released when freed.
}

void return_freed_heap() noexcept {
    _heapmin();  // the C runtime's heap: decommits what is free at its end
}

}  // namespace psguard
