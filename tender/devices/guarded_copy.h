/*
 * A memcpy that survives SIGBUS: reading a MAP_SHARED file mapping past the
 * file's end (someone truncated it, a block device shrank) raises SIGBUS in
 * the reading thread.  guarded_copy turns that into an error for the one
 * copy; a SIGBUS anywhere else keeps its default action (the process dies,
 * with a core where cores are on).  Knows nothing of the VM.
 */
#ifndef WISP_GUARDED_COPY_H
#define WISP_GUARDED_COPY_H

#include <stddef.h>

/*
 * guarded_copy_init: install the process's SIGBUS handler (again at each
 * call: whoever replaced it, a test harness, is replaced).  MUST run
 * before the seccomp
 * filter (rt_sigaction); afterwards the handler needs only rt_sigreturn.
 * Returns 0, or -1 (errno set) if the handler cannot be installed: then
 * guarded_copy MUST NOT be used on a mapping.
 */
int guarded_copy_init(void);

/*
 * guarded_copy: memcpy(dst, src, len); returns 0, or -1 if a read of src
 * raised SIGBUS (part of dst may have been written).  Async-signal-unsafe,
 * not reentrant within a thread; any number of threads at once.
 */
int guarded_copy(void *dst, const void *src, size_t len);

#endif /* WISP_GUARDED_COPY_H */
