/*
 * sys.h: raw Linux system calls for the process flavour of the guest
 * library.  The process target has no C library of its own (the
 * application may link newlib, as in the VM flavours), so every host
 * service is one `syscall` instruction here.  Results follow the kernel's
 * convention: a value in [-4095, -1] is -errno.
 */
#ifndef WISP_PROCESS_SYS_H
#define WISP_PROCESS_SYS_H

#include <stddef.h>
#include <stdint.h>

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_fstat 5
#define SYS_mmap 9
#define SYS_ioctl 16
#define SYS_pread64 17
#define SYS_pwrite64 18
#define SYS_socket 41
#define SYS_exit 60
#define SYS_fcntl 72
#define SYS_flock 73
#define SYS_fdatasync 75
#define SYS_lseek 8
#define SYS_prctl 157
#define SYS_arch_prctl 158
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_ppoll 271
#define SYS_getrandom 318
#define SYS_seccomp 317

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;

    __asm__ __volatile__("syscall"
                         : "=a"(ret)
                         : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
    return ret;
}

#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* The few kernel ABI structures and constants used. */
struct wp_timespec {
    long tv_sec;
    long tv_nsec;
};

struct wp_pollfd {
    int fd;
    short events;
    short revents;
};

#define WP_POLLIN 0x1
#define WP_POLLHUP 0x10
#define WP_CLOCK_REALTIME 0
#define WP_CLOCK_MONOTONIC 1
#define WP_O_RDONLY 0
#define WP_O_RDWR 2
#define WP_O_NONBLOCK 04000
#define WP_O_CLOEXEC 02000000
#define WP_EAGAIN 11
#define WP_EINTR 4
#define WP_ENOENT 2
#define WP_ECONNRESET 104
#define WP_EWOULDBLOCK WP_EAGAIN
#define WP_LOCK_SH 1
#define WP_LOCK_EX 2
#define WP_LOCK_NB 4
#define WP_SEEK_END 2
#define WP_ARCH_SET_FS 0x1002
#define WP_PROT_READ 1
#define WP_PROT_WRITE 2
#define WP_MAP_PRIVATE 2
#define WP_MAP_ANONYMOUS 0x20
#define WP_MAP_NORESERVE 0x4000

/* struct stat (x86_64): only st_mode and st_size are read. */
struct wp_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t times[6];
    int64_t unused[3];
};
#define WP_S_IFMT 0170000
#define WP_S_IFREG 0100000
#define WP_S_IFBLK 0060000

#endif /* WISP_PROCESS_SYS_H */
