/* Messages of wisp-oci: stderr, and the --log file (text or JSON lines, as
 * containerd's runc shim reads the last error from it). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"

static FILE *log_file;
static int log_json;
static int redirect_fd = -1;

void oci_err_to_fd(int fd)
{
    redirect_fd = fd;
}

void oci_log_open(const char *file, int json)
{
    log_file = fopen(file, "ae");
    log_json = json;
}

/* json_string: S as a JSON string literal. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int oci_err(const char *fmt, ...)
{
    char msg[1024], when[64];
    time_t now = time(NULL);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (redirect_fd >= 0) {
        if (write(redirect_fd, msg, strlen(msg)) < 0)
            return -1;
        return -1;
    }
    fprintf(stderr, "wisp-oci: %s\n", msg);
    if (log_file) {
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        if (log_json) {
            fputs("{\"level\":\"error\",\"msg\":", log_file);
            json_string(log_file, msg);
            fprintf(log_file, ",\"time\":\"%s\"}\n", when);
        } else {
            fprintf(log_file, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
        }
        fflush(log_file);
    }
    return -1;
}
