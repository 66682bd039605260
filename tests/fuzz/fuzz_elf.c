/*
 * libFuzzer target for the ELF and manifest validators (tender/image/:
 * elf.c, elf_notes.c, mft.c): the unikernel file is the most exposed input of the
 * tender.  Every input goes through elf_parse and, if accepted,
 * elf_check_fits; the invariants elf_parse promises to its callers are
 * then checked (a violation aborts, so the fuzzer reports it).  The input
 * is also given to mft_validate as a raw manifest, as wisp-elftool does.
 * How to run: tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* check_image: what the tender relies on after a successful elf_parse. */
static void check_image(const struct elf_image *img, const uint8_t *data, size_t size)
{
    uint64_t prev_end = 0;
    int entry_ok = 0;

    CHECK(img->mode == WISP_MODE_ISOLATED || img->mode == WISP_MODE_SOLO5_HVT);
    CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS);
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];

        CHECK(s->memsz > 0 && s->filesz <= s->memsz);
        CHECK(s->offset <= size && s->filesz <= size - s->offset);
        CHECK((s->vaddr & ~0xfffull) >= WISP_ELF_MIN_GPA);
        CHECK(s->vaddr + s->memsz > s->vaddr);
        CHECK((s->vaddr & ~0xfffull) >= prev_end);
        CHECK(!((s->flags & SEG_W) && (s->flags & SEG_X)));
        prev_end = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;
        if ((s->flags & SEG_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            entry_ok = 1;
    }
    CHECK(entry_ok);
    CHECK(img->load_end == prev_end);
    if (img->mft) {
        const uint8_t *m = (const uint8_t *)img->mft;

        CHECK(m >= data && img->mft_size <= size && (size_t)(m - data) <= size - img->mft_size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img;
    char err[ELF_ERR_MAX];

    if (elf_parse("fuzz", data, size, &img, err) == 0) {
        check_image(&img, data, size);
        if (elf_check_fits("fuzz", &img, WISP_MEM_MAX, err) == 0)
            CHECK(img.load_end <= WISP_MEM_MAX);
    } else {
        CHECK(memchr(err, '\0', sizeof(err)) != NULL && strncmp(err, "fuzz: ", 6) == 0);
    }
    if (mft_validate("fuzz", data, size, err) != 0)
        CHECK(strncmp(err, "fuzz: invalid manifest: ", 24) == 0);
    return 0;
}
