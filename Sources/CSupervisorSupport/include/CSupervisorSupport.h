#ifndef MOORING_CSUPERVISORSUPPORT_H
#define MOORING_CSUPERVISORSUPPORT_H

#include <stdint.h>
#include <sys/types.h>

/* Small C helpers for what Swift on Linux cannot call safely or at all:
   posix_spawn with its own session, pidfds (syscall wrappers) and waitid(P_PIDFD). */

/* Spawns `path` with `argv`/`envp` in a new session and process group (setsid), stdin from
   /dev/null, stdout and stderr on `log_fd` (an O_APPEND descriptor the caller opened and
   still owns; /dev/null when negative), working directory `cwd` (NULL: inherit), default
   signal dispositions and an empty signal mask, every descriptor above 2 closed.

   With `cgroup_procs_fd` >= 0 (an O_WRONLY descriptor of a cgroup v2 `cgroup.procs`), the
   child joins that cgroup before it does anything else — before exec, so nothing it
   starts can be outside it; this uses vfork() (no copy of the
   caller's memory), the child making only system calls until it execs or _exits. Otherwise posix_spawn.

   Returns 0 and sets *out_pid, or an errno value; *out_stage says which step failed:
   MOORING_SPAWN_STAGE_CGROUP when joining the cgroup, MOORING_SPAWN_STAGE_OTHER otherwise. */
#define MOORING_SPAWN_STAGE_OTHER 0
#define MOORING_SPAWN_STAGE_CGROUP 1
int mooring_spawn(const char *path, char *const argv[], char *const envp[],
                  const char *cwd, int log_fd, int cgroup_procs_fd, pid_t *out_pid, int *out_stage);

/* Spawns the log stamper `path` with `argv` in a session of its own (so a stop that kills
   the replica's process group does not kill it before it has written what the replica
   wrote last), with an empty environment, stdin on `in_fd` (the read end of the replica's
   output pipe), stdout and stderr on `log_fd`, working directory /, every descriptor above
   2 closed. Returns 0 and sets *out_pid, or an errno value. */
int mooring_spawn_stamper(const char *path, char *const argv[], int in_fd, int log_fd, pid_t *out_pid);

/* pipe2(fds, O_CLOEXEC). 0 or -1 and errno. */
int mooring_pipe_cloexec(int fds[2]);

/* prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants become this process's children
   instead of init's. 0 or -1 and errno. */
int mooring_set_child_subreaper(void);

/* Whether some child of this process has exited and waits to be reaped (without reaping
   it: waitid with WNOWAIT). 1 yes, 0 no, -1 and errno (ECHILD: no children at all). */
int mooring_child_waitable(void);

/* pidfd_open(2): a descriptor that becomes readable when `pid` exits. -1 and errno on failure. */
int mooring_pidfd_open(pid_t pid);

/* pidfd_send_signal(2). 0 or -1 and errno. */
int mooring_pidfd_send_signal(int pidfd, int sig);

/* waitid(P_PIDFD, pidfd, WEXITED): reaps the child behind `pidfd`; when `block` is 0 it
   does not wait (WNOHANG). Returns 1 when reaped (*code = exit code or -1, *signal =
   terminating signal or 0), 0 when it has not exited yet, -1 with errno (ECHILD: not our child). */
int mooring_pidfd_reap(int pidfd, int block, int *code, int *signal);

/* An epoll instance (close-on-exec) for the exit watcher. -1 and errno on failure. */
int mooring_epoll_create(void);

/* Watches `fd` for readability in `epfd`, reported with `token`. 0 or -1 and errno. */
int mooring_epoll_add(int epfd, int fd, uint64_t token);

/* Stops watching `fd` in `epfd`. 0 or -1 and errno (ENOENT: not watched). */
int mooring_epoll_remove(int epfd, int fd);

/* Waits (without timeout, EINTR retried) until a watched descriptor is readable and stores
   up to `capacity` tokens of readable ones in `tokens`. Returns how many, or -1 and errno. */
int mooring_epoll_wait(int epfd, uint64_t *tokens, int capacity);

#endif
