/*
 * vm_log: the one diagnostic sink (core/log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/vm.h"

#define PREFIX "wisp: "

void vm_log(const struct vm *vm, const char *fmt, ...)
{
    char msg[VM_LOG_MAX];
    char out[VM_LOG_MAX + 64];
    size_t n = 0;
    const char *line = msg;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Each line gets the prefix; the message ends with one newline. */
    while (*line && n + sizeof PREFIX + 1 < sizeof out) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);

        if (len > sizeof out - n - sizeof PREFIX - 1)
            len = sizeof out - n - sizeof PREFIX - 1;
        memcpy(out + n, PREFIX, sizeof PREFIX - 1);
        n += sizeof PREFIX - 1;
        memcpy(out + n, line, len);
        n += len;
        out[n++] = '\n';
        if (!nl)
            break;
        line = nl + 1;
    }
    (void)!write(vm->cfg->log_fd, out, n);
}
