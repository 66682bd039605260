/*
 * wisp-elftool: messages, bounded file reading and atomic file writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elftool.h"

void elftool_err(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs(ELFTOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int read_file_bounded(const char *path, size_t max, uint8_t **buf, size_t *size)
{
    struct stat st;
    uint8_t *p;
    size_t got = 0;
    int fd;

    /* Never block: a FIFO would block open() until a writer comes.  The
     * type is looked at before the open and again on the fd, opened
     * O_NONBLOCK until it is known to be a regular file. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        elftool_err("%s: not a regular file", path);
        return -1;
    }
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        elftool_err("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        elftool_err("%s: cannot stat: %s", path, strerror(errno));
        goto fail_fd;
    }
    if (!S_ISREG(st.st_mode)) {
        elftool_err("%s: not a regular file", path);
        goto fail_fd;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        elftool_err("%s: %s", path, strerror(errno));
        goto fail_fd;
    }
    if ((uint64_t)st.st_size > max) {
        elftool_err("%s: file too large (%lld bytes, maximum %zu)", path,
                    (long long)st.st_size, max);
        goto fail_fd;
    }
    p = malloc((size_t)st.st_size + 1);
    if (p == NULL) {
        elftool_err("%s: out of memory", path);
        goto fail_fd;
    }
    /* Read at most st_size bytes: a file that grows meanwhile is cut. */
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            elftool_err("%s: read error: %s", path, strerror(errno));
            free(p);
            goto fail_fd;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    p[got] = 0;
    *buf = p;
    *size = got;
    return 0;

fail_fd:
    close(fd);
    return -1;
}

int output_open(struct output *o, const char *path)
{
    struct stat st;
    size_t len;
    int fd;

    o->path = path;
    o->tmp = NULL;
    o->f = NULL;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or FIFO: cannot be replaced, write to it directly. */
        o->f = fopen(path, "w");
        if (o->f == NULL) {
            elftool_err("%s: cannot open for writing: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    len = strlen(path) + sizeof(".tmp.XXXXXX");
    o->tmp = malloc(len);
    if (o->tmp == NULL) {
        elftool_err("%s: out of memory", path);
        return -1;
    }
    snprintf(o->tmp, len, "%s.tmp.XXXXXX", path);
    fd = mkstemp(o->tmp);
    if (fd < 0) {
        elftool_err("%s: cannot create temporary file: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    /* mkstemp creates 0600; give the file the usual mode instead. */
    {
        mode_t um = umask(0);
        umask(um);
        (void)fchmod(fd, 0666 & ~um);
    }
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        elftool_err("%s: %s", o->tmp, strerror(errno));
        close(fd);
        output_abort(o);
        return -1;
    }
    return 0;
}

/* flush_stdout: flush standard output, reporting a write error. Returns 0/-1. */
int flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        elftool_err("standard output: write error: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int output_commit(struct output *o)
{
    int bad;

    bad = fflush(o->f) != 0 || ferror(o->f);
    if (!bad && o->tmp != NULL)
        bad = fsync(fileno(o->f)) != 0;
    if (o->f != stdout) {
        bad |= fclose(o->f) != 0;
        o->f = NULL;
    }
    if (bad) {
        elftool_err("%s: write error: %s",
                    strcmp(o->path, "-") == 0 ? "standard output" : o->path,
                    strerror(errno));
        output_abort(o);
        return -1;
    }
    if (o->tmp != NULL) {
        if (rename(o->tmp, o->path) != 0) {
            elftool_err("%s: cannot rename %s over it: %s", o->path, o->tmp,
                        strerror(errno));
            output_abort(o);
            return -1;
        }
        free(o->tmp);
        o->tmp = NULL;
    }
    return 0;
}

void output_abort(struct output *o)
{
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp != NULL) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
}
