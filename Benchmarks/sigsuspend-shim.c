/* valgrind 3.19 crashes (SIGSEGV inside valgrind) when a Swift program's main thread
 * parks in libdispatch's _dispatch_sigsuspend (rt_sigsuspend, syscall 130) after
 * dispatch_main/pthread_exit. Preloaded under valgrind by `make bench` only: the same
 * wait, written as pause() with the mask applied, which valgrind handles. */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t old;
    pthread_sigmask(SIG_SETMASK, mask, &old);
    int result = pause();
    pthread_sigmask(SIG_SETMASK, &old, 0);
    return result;
}
