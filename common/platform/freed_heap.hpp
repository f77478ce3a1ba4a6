// Hands heap memory freed by a cycle back to the OS. The C library keeps freed blocks for reuse
// (glibc in its arenas), so without this the agent's resident set after a cycle stays at the
// cycle's peak: the NS answer's parse tree, the scan's buffers and the old snapshot.
#pragma once

namespace psguard {

// Called by the agent loop after each cycle, once its temporaries are destroyed.
void return_freed_heap() noexcept;

}  // namespace psguard
