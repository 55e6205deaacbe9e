// Running a deeply recursive job (parsing and lowering a filter nested 100,000 levels deep) on a
// thread of its own with a stack sized for it, and the check that keeps recursion within the
// stack of whatever thread it runs on.
#pragma once

#include <cstddef>
#include <functional>

namespace sniff {

// Runs `job` on a new thread whose stack is `bytes` long (reserved address space: pages are used
// only as deep as the recursion goes), and waits for it. Returns false, without running `job`,
// when no such thread can be made (the address space or thread limit is reached).
bool run_with_stack(std::size_t bytes, const std::function<void()>& job);

// True while the calling thread has used less than half of its stack: recursive stages check
// it before going one level deeper, and report "nested too deeply" instead of overflowing.
// (pthread_getattr_np gives the bounds; the main thread's come from RLIMIT_STACK.)
bool stack_has_room();

}  // namespace sniff
