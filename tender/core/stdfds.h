/*
 * The standard fds of a tender process.  A launcher may start wisp with
 * fd 0, 1 or 2 closed; the next open() would then get that number, and a
 * block image opened as fd 1 or 2 would receive the guest's console output
 * or the tender's messages (appended: the image grows).  Called first
 * thing in main, before any other file is opened.
 */
#ifndef WISP_STDFDS_H
#define WISP_STDFDS_H

/* stdfds_reopen: open /dev/null (read-write) on each of fd 0, 1 and 2
 * that is closed; the open fds are left alone.  Returns 0, or -1 (errno
 * set) if /dev/null cannot be opened: the caller must not go on. */
int stdfds_reopen(void);

#endif /* WISP_STDFDS_H */
