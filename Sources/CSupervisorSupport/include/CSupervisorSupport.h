#ifndef MOORING_CSUPERVISORSUPPORT_H
#define MOORING_CSUPERVISORSUPPORT_H

#include <sys/types.h>

/* Small C helpers for what Swift on Linux cannot call safely or at all:
   posix_spawn with its own session, pidfds (syscall wrappers) and waitid(P_PIDFD). */

/* Spawns `path` with `argv`/`envp` in a new session and process group (setsid), stdin from
   /dev/null, stdout and stderr on `log_fd` (an O_APPEND descriptor the caller opened and
   still owns; /dev/null when negative), working directory `cwd` (NULL: inherit), default
   signal dispositions and an empty signal mask, every descriptor above 2 closed.
   Returns 0 and sets *out_pid, or an errno value. */
int mooring_spawn(const char *path, char *const argv[], char *const envp[],
                  const char *cwd, int log_fd, pid_t *out_pid);

/* pidfd_open(2): a descriptor that becomes readable when `pid` exits. -1 and errno on failure. */
int mooring_pidfd_open(pid_t pid);

/* pidfd_send_signal(2). 0 or -1 and errno. */
int mooring_pidfd_send_signal(int pidfd, int sig);

/* waitid(P_PIDFD, pidfd, WEXITED): reaps the child behind `pidfd`; when `block` is 0 it
   does not wait (WNOHANG). Returns 1 when reaped (*code = exit code or -1, *signal =
   terminating signal or 0), 0 when it has not exited yet, -1 with errno (ECHILD: not our child). */
int mooring_pidfd_reap(int pidfd, int block, int *code, int *signal);

/* eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK): wakes a poll loop. -1 and errno on failure. */
int mooring_wake_fd(void);

#endif
