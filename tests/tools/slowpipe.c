/*
 * slowpipe: run a command whose stdout is a NON-BLOCKING pipe, and read
 * that pipe slowly (tests/e2e/hostile_host.bats: a console that answers
 * EAGAIN most of the time must lose nothing).
 *
 *   slowpipe CHUNK DELAY_MS CMD [ARGS...]
 *
 * The pipe's write end (the command's fd 1) is O_NONBLOCK; slowpipe reads
 * at most CHUNK bytes, then sleeps DELAY_MS milliseconds, until the end of
 * the pipe, and copies everything to its own stdout.  Exit status: the
 * command's (128 + N if signal N killed it), or 125 if slowpipe itself
 * failed (with a message on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "slowpipe: %s: %s\n", what, strerror(errno));
    exit(125);
}

int main(int argc, char *argv[])
{
    static char buf[1 << 20];
    struct timespec delay;
    long chunk, ms;
    int p[2], st;
    pid_t pid;

    if (argc < 4 || (chunk = atol(argv[1])) <= 0 || chunk > (long)sizeof buf ||
        (ms = atol(argv[2])) < 0) {
        fprintf(stderr, "usage: slowpipe CHUNK DELAY_MS CMD [ARGS...]\n");
        return 125;
    }
    delay = (struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    if (pipe(p) < 0)
        die("pipe");
    if (fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK) < 0)
        die("fcntl");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (dup2(p[1], 1) < 0)
            die("dup2");
        close(p[0]);
        close(p[1]);
        execvp(argv[3], argv + 3);
        die(argv[3]);
    }
    close(p[1]);
    for (;;) {
        ssize_t n = read(p[0], buf, (size_t)chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read");
        if (n == 0)
            break;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            die("write");
        nanosleep(&delay, NULL);
    }
    if (fflush(stdout) != 0)
        die("write");
    if (waitpid(pid, &st, 0) < 0)
        die("waitpid");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
