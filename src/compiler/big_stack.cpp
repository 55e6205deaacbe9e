// A pthread with a caller-sized stack (std::thread cannot set one), and a stack-depth check
// against the running thread's own bounds.
#include "compiler/big_stack.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <cstdint>

namespace sniff {
namespace {

struct Bounds {
    std::uintptr_t low = 0, high = 0;  // the stack grows down from high towards low
};

// The calling thread's stack, looked up once per thread.
const Bounds& thread_stack() {
    thread_local Bounds bounds = [] {
        Bounds b;
        pthread_attr_t attr;
        if (pthread_getattr_np(pthread_self(), &attr) != 0) return b;
        void* addr = nullptr;
        std::size_t size = 0;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            b.low = reinterpret_cast<std::uintptr_t>(addr);
            b.high = b.low + size;
        }
        pthread_attr_destroy(&attr);
        return b;
    }();
    return bounds;
}

void* trampoline(void* job) {
    (*static_cast<const std::function<void()>*>(job))();
    return nullptr;
}

}  // namespace

bool run_with_stack(std::size_t bytes, const std::function<void()>& job) {
    // MAP_NORESERVE: a large reservation costs address space, not memory or overcommit budget.
    void* stack = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return false;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, bytes);
    pthread_t thread;
    const bool started = pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&job)) == 0;
    pthread_attr_destroy(&attr);
    if (started) pthread_join(thread, nullptr);
    munmap(stack, bytes);
    return started;
}

bool stack_has_room() {
    const Bounds& b = thread_stack();
    if (b.high == 0) return true;  // bounds unknown: nothing to check against
    char here;
    const auto at = reinterpret_cast<std::uintptr_t>(&here);
    return at > b.low + (b.high - b.low) / 2;
}

}  // namespace sniff
