/*
 * One copy of the isolated mode's system-table pages for all guests: the
 * GDT/IDT/TSS page and the exception-stub page are the same bytes in every
 * guest, and they are already in the tender's executable, page-aligned
 * (x86_tables_image, tables.c).  Mapping those file pages over the guest's
 * own copies makes every guest on the host use the page cache's one copy:
 * two resident pages less per guest (bench/README.md, memory).  The
 * mappings are read-only and private: neither the guest (supervisor-only,
 * read-only in its page tables) nor the tender can change them, and the
 * executable is what the tender trusts anyway.
 */
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86_64/x86_64.h"

#define PAGE 0x1000ull

struct image_where {
    uintptr_t addr;   /* &x86_tables_image */
    off_t offset;     /* its offset in the executable file, or -1 */
};

/* find_offset (dl_iterate_phdr callback): the file offset of the image in
 * the executable's loadable segment that contains it, whole. */
static int find_offset(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct image_where *w = arg;

    (void)size;
    for (unsigned i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;

        if (ph->p_type == PT_LOAD && w->addr >= start &&
            w->addr - start + sizeof x86_tables_image <= ph->p_filesz) {
            w->offset = (off_t)(ph->p_offset + (w->addr - start));
            return 1;
        }
    }
    return 0;
}

/* The guest page each image page goes to, in image order. */
static const uint64_t page_gpa[] = {X86_GDT_GPA, X86_STUB_GPA};
_Static_assert(sizeof page_gpa / sizeof page_gpa[0] * PAGE == sizeof x86_tables_image,
               "one guest page per image page");

/* restore: ordinary guest memory with the copy again (a failed MAP_FIXED
 * may have unmapped the range). */
static int restore(uint8_t *mem, uint64_t gpa, const uint8_t *bytes)
{
    if (mmap(mem + gpa, PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
        return -1;
    (void)madvise(mem + gpa, PAGE, MADV_NOHUGEPAGE);
    memcpy(mem + gpa, bytes, PAGE);
    return 0;
}

/* share_page: the image page at file offset `offset` over the guest page at
 * `gpa`, if the guest's holds the same bytes.  0 shared, -1 not (the copy
 * stays), -2 guest memory lost. */
static int share_page(uint8_t *mem, uint64_t gpa, const uint8_t *bytes, int fd, off_t offset)
{
    if (memcmp(mem + gpa, bytes, PAGE) != 0)
        return -1;
    /* the file is the running executable: the same bytes, unless it was
     * replaced in place since; then (or on any failure) the copy stays */
    if (mmap(mem + gpa, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, offset) != MAP_FAILED &&
        memcmp(mem + gpa, bytes, PAGE) == 0)
        return 0;
    return restore(mem, gpa, bytes) ? -2 : -1;
}

int x86_share_system_tables(uint8_t *mem)
{
    struct image_where w = {.addr = (uintptr_t)&x86_tables_image, .offset = -1};
    const uint8_t *img = (const uint8_t *)&x86_tables_image;
    int fd, r = 0;

    if (((uintptr_t)mem | w.addr) & (PAGE - 1))
        return -1;
    dl_iterate_phdr(find_offset, &w);
    if (w.offset < 0 || (w.offset & (off_t)(PAGE - 1)))
        return -1;
    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (unsigned i = 0; i < sizeof page_gpa / sizeof page_gpa[0] && r != -2; i++) {
        int one = share_page(mem, page_gpa[i], img + i * PAGE, fd, w.offset + (off_t)(i * PAGE));

        if (one)
            r = one;
    }
    close(fd);
    return r;
}
