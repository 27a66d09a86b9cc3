#define _GNU_SOURCE
#include "CSupervisorSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int set_own_session(posix_spawnattr_t *attr);

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* What the forked child reports through the pipe when a step fails. */
struct child_failure {
    int stage;
    int error;
};

static void child_fail(int pipe_fd, int stage) {
    struct child_failure failure = { stage, errno };
    ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

static int spawn_into_cgroup(const char *path, char *const argv[], char *const envp[],
                             const char *cwd, int log_fd, int cgroup_procs_fd, pid_t *out_pid,
                             int *out_stage) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return errno;
    /* Keep the report pipe clear of 0-2, which the child is about to replace. */
    for (int i = 0; i < 2; i++) {
        if (pipe_fds[i] <= 2) {
            int moved = fcntl(pipe_fds[i], F_DUPFD_CLOEXEC, 3);
            if (moved < 0) { int e = errno; close(pipe_fds[0]); close(pipe_fds[1]); return e; }
            close(pipe_fds[i]);
            pipe_fds[i] = moved;
        }
    }
    /* No handler of ours may run in the child between vfork and exec. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    /* vfork, not fork: the child borrows this process's memory until it execs (this
       thread waits meanwhile), so a controller holding 1,000 deployments does not copy its
       page tables for every replica it starts (fork was about a quarter of its CPU while
       starting them). The child only makes system calls, then execs or _exits, as vfork requires;
       its signal dispositions are its own (no CLONE_SIGHAND), so resetting them below
       leaves ours alone. */
    pid_t pid = vfork();
    if (pid == 0) {
        int report = pipe_fds[1];
        /* Join the cgroup first: from here on, everything this process starts is in it. */
        if (write(cgroup_procs_fd, "0", 1) != 1) child_fail(report, MOORING_SPAWN_STAGE_CGROUP);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
        }
        if (setsid() < 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        int null_in = open("/dev/null", O_RDONLY);
        if (null_in < 0 || dup2(null_in, 0) < 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        if (log_fd >= 0) {
            if (dup2(log_fd, 1) < 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        } else {
            int null_out = open("/dev/null", O_WRONLY);
            if (null_out < 0 || dup2(null_out, 1) < 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        }
        if (dup2(1, 2) < 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        if (cwd != NULL && chdir(cwd) != 0) child_fail(report, MOORING_SPAWN_STAGE_OTHER);
        /* Every descriptor above 2 but the report pipe (close-on-exec) goes. */
        if (report > 3) syscall(SYS_close_range, 3, report - 1, 0);
        syscall(SYS_close_range, report + 1, ~0U, 0);
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execve(path, argv, envp);
        child_fail(report, MOORING_SPAWN_STAGE_OTHER);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        return fork_error;
    }
    struct child_failure failure;
    ssize_t got;
    do { got = read(pipe_fds[0], &failure, sizeof failure); } while (got < 0 && errno == EINTR);
    close(pipe_fds[0]);
    if (got == (ssize_t)sizeof failure) {
        /* The child never ran the program: collect it and report why. */
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *out_stage = failure.stage;
        return failure.error != 0 ? failure.error : EIO;
    }
    *out_pid = pid;
    return 0;
}

int mooring_spawn_stamper(const char *path, char *const argv[], int in_fd, int log_fd, pid_t *out_pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }
    rc = posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
    if (rc == 0) rc = posix_spawn_file_actions_addchdir_np(&actions, "/");
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0) rc = set_own_session(&attr);
    char *const envp[] = { NULL };
    if (rc == 0) rc = posix_spawn(out_pid, path, &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int mooring_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int mooring_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int mooring_child_waitable(void) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
    return info.si_pid != 0 ? 1 : 0;
}

/* A new session, an empty signal mask and default dispositions for every signal. */
static int set_own_session(posix_spawnattr_t *attr) {
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    int rc = posix_spawnattr_setsigmask(attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(attr, &all);
    if (rc == 0) rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                                     POSIX_SPAWN_SETSIGDEF);
    return rc;
}

int mooring_spawn(const char *path, char *const argv[], char *const envp[],
                  const char *cwd, int log_fd, int cgroup_procs_fd, pid_t *out_pid, int *out_stage) {
    *out_stage = MOORING_SPAWN_STAGE_OTHER;
    if (cgroup_procs_fd >= 0) {
        return spawn_into_cgroup(path, argv, envp, cwd, log_fd, cgroup_procs_fd, out_pid, out_stage);
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }

    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) {
        rc = log_fd >= 0 ? posix_spawn_file_actions_adddup2(&actions, log_fd, 1)
                         : posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    }
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (rc == 0 && cwd != NULL) rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    if (rc == 0) rc = set_own_session(&attr);
    if (rc == 0) rc = posix_spawn(out_pid, path, &actions, &attr, argv, envp);

    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int mooring_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int mooring_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int mooring_pidfd_reap(int pidfd, int block, int *code, int *signal) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) != 0) return -1;
    if (info.si_pid == 0) {
        /* The pidfd said it exited; should the zombie not be waitable yet, wait for it
           (it is a matter of moments) rather than leave it unreaped. */
        if (!block) return 0;
        memset(&info, 0, sizeof info);
        int rc;
        do { rc = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED); } while (rc != 0 && errno == EINTR);
        if (rc != 0) return -1;
        if (info.si_pid == 0) return 0;
    }
    if (info.si_code == CLD_EXITED) {
        *code = info.si_status;
        *signal = 0;
    } else {
        *code = -1;
        *signal = info.si_status;
    }
    return 1;
}

int mooring_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int mooring_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN;
    event.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int mooring_epoll_remove(int epfd, int fd) {
    struct epoll_event unused;
    memset(&unused, 0, sizeof unused);
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int mooring_epoll_wait(int epfd, uint64_t *tokens, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count;
    do { count = epoll_wait(epfd, events, capacity, -1); } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}
