/*
 * mooring-stamp-log: the replica log stamper `mooring run` starts between each replica's
 * stdout/stderr (a pipe on stdin) and its log file (stdout). It copies its input with a UTC
 * timestamp in front of every line (`2026-11-23T19:42:04.125Z <line>`), writes whole lines
 * only, splits a line longer than 64 KiB, ends a partial last line with a newline, ignores
 * SIGTERM, SIGINT, SIGHUP and SIGPIPE, and exits at end of file (or when the log cannot be
 * written). The same loop as `LogStamper.run` in MooringSupervisor (`mooring __stamp-log`,
 * the fallback when this program is not installed beside `mooring`), as a small C program:
 * one runs per replica, and starting the whole Swift binary for each cost about 20 ms of
 * CPU and 29 MB of memory per replica (docs/supervisor.md, BENCHMARKS.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { READ_SIZE = 65536, LINE_LIMIT = 65536, STAMP_SIZE = 25 };

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *year, unsigned *month, unsigned *day) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static void put_digits(char *out, unsigned value, int width) {
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* `YYYY-MM-DDTHH:MM:SS.mmmZ ` (with the space), as ReplicaLogMarker.timestamp writes it. */
static void format_stamp(char out[STAMP_SIZE]) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t seconds = now.tv_sec;
    int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    unsigned of_day = (unsigned)(seconds - days * 86400);
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    put_digits(out, (unsigned)year, 4);
    out[4] = '-';
    put_digits(out + 5, month, 2);
    out[7] = '-';
    put_digits(out + 8, day, 2);
    out[10] = 'T';
    put_digits(out + 11, of_day / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, of_day / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, of_day % 60, 2);
    out[19] = '.';
    put_digits(out + 20, (unsigned)(now.tv_nsec / 1000000), 3);
    out[23] = 'Z';
    out[24] = ' ';
}

static int write_all(const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t written = write(1, bytes, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return 0;
        bytes += written;
        count -= (size_t)written;
    }
    return 1;
}

/* The line being assembled (stamp + at most LINE_LIMIT bytes + newline) and the whole
   lines of one read waiting to be written. */
static char pending[STAMP_SIZE + LINE_LIMIT + 1];
static size_t pending_count;
static char out[2 * (READ_SIZE + STAMP_SIZE + 1) + STAMP_SIZE + LINE_LIMIT + 1];
static char input[READ_SIZE];

int main(void) {
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    int at_line_start = 1;
    char stamp[STAMP_SIZE];
    for (;;) {
        ssize_t count = read(0, input, sizeof input);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        /* The time the read returned: every line starting in it gets it. */
        format_stamp(stamp);
        size_t out_count = 0;
        for (ssize_t i = 0; i < count; i++) {
            char byte = input[i];
            if (at_line_start) {
                memcpy(pending + pending_count, stamp, STAMP_SIZE);
                pending_count += STAMP_SIZE;
                at_line_start = 0;
            }
            pending[pending_count++] = byte;
            if (byte == '\n' || pending_count >= LINE_LIMIT) {
                if (out_count + pending_count + 1 > sizeof out) {
                    if (!write_all(out, out_count)) return 0;
                    out_count = 0;
                }
                memcpy(out + out_count, pending, pending_count);
                out_count += pending_count;
                if (byte != '\n') out[out_count++] = '\n';
                pending_count = 0;
                at_line_start = 1;
            }
        }
        if (!write_all(out, out_count)) return 0;
    }
    if (pending_count > 0) {
        pending[pending_count++] = '\n';
        write_all(pending, pending_count);
    }
    return 0;
}
