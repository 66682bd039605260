/*
 * The tender's one diagnostic sink: every message of the library (crash
 * and abort reports, ABI violations, warnings) goes through vm_log to the
 * fd in wisp_config (log_fd, stderr by default), each line prefixed
 * "wisp: ", formatted in memory and written with one write(2): no stdio,
 * so it works under the seccomp filter and from the ring I/O thread.
 */
#ifndef WISP_LOG_H
#define WISP_LOG_H

struct vm;

/* Longest message vm_log writes whole (longer ones are truncated). */
#define VM_LOG_MAX 2048

/* vm_log: format the message (one or more lines, no trailing newline
 * needed) and write it, "wisp: " before each line, to vm->cfg->log_fd. */
void vm_log(const struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* WISP_LOG_H */
