#include <malloc.h>

#include "platform/freed_heap.hpp"

namespace psguard {

void return_freed_heap() noexcept {
    _heapmin();  // the C runtime's heap: decommits what is free at its end
}

}  // namespace psguard
