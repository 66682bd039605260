/*
 * Private to tender/elf*.c: the ELF64 on-disk structures (spelled out here
 * because -Itender makes <elf.h> resolve to wisp's own elf.h) and helpers
 * shared by the header/segment checks (elf.c) and the note parser
 * (elf_notes.c).
 */
#ifndef WISP_ELF_PRIV_H
#define WISP_ELF_PRIV_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "image/elf.h"

#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define ET_DYN      3
#define EM_X86_64   62
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PT_NOTE     4
#define PF_X        1u
#define PF_W        2u
#define PF_R        4u

struct elf64_ehdr {
    uint8_t e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr size");

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr size");

struct elf64_nhdr {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
};
_Static_assert(sizeof(struct elf64_nhdr) == 12, "Elf64_Nhdr size");

/* elf_fail: format one line into err[ELF_ERR_MAX]; returns -1. */
int elf_fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* elf_range_in_file: 1 if [off, off + len) lies inside a file of `size`
 * bytes (overflow-safe), else 0. */
int elf_range_in_file(uint64_t off, uint64_t len, size_t size);

/*
 * elf_parse_notes: walk every note of PT_NOTE `ph` (program header number
 * `idx`) of img->file and record the wisp ABI, Solo5 ABI1 and MFT1 notes in
 * *img (*has_wisp set for the wisp note).  Other notes are skipped.  MUST
 * refuse a PT_NOTE outside the file, a note that does not fit, a duplicate
 * note and a bad descriptor size; validates the manifest.  Returns 0 or -1
 * with err set.
 */
int elf_parse_notes(const char *name, const struct elf64_phdr *ph, unsigned idx,
                    struct elf_image *img, int *has_wisp, char *err);

#endif /* WISP_ELF_PRIV_H */
