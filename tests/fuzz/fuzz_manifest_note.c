/*
 * libFuzzer target for the manifest as the tender meets it: the
 * descriptor of the MFT1 note of a unikernel (tender/image/elf_notes.c
 * take_mft1, mft.c mft_validate), then what is done with an accepted one:
 * the tender's copy (core/run.c), compatibility mode's image check
 * (modes/hvt/mode.c hvt_check_image), device lookup by name
 * (devices/device.c, as --net:NAME= and --block:NAME= do) and
 * wisp-elftool query-manifest's printer (tools/elftool/json_print.c).
 * fuzz_elf reaches the note only when its ELF is well formed; here every
 * input is the note of a valid image.
 *
 * Input: byte 0 picks the image's ABI note (bit 0: Solo5's ABI1 for
 * target hvt, version 2; else wisp's); the rest (at most 12 KiB) is the
 * MFT1 descriptor, 4 padding bytes then the manifest, placed in a
 * PT_NOTE after the ABI note of an image with one executable PT_LOAD.
 *
 * Checked: the image is accepted exactly when mft_validate accepts the
 * manifest bytes; then the image's manifest lies at the note's descriptor
 * + 4, its size is the descriptor's - 4; hvt_check_image accepts a Solo5
 * image; each entry 1.. is found by device_lookup under its name and
 * type, with its handle; a refused image gets a message naming the file;
 * the query-manifest JSON parses (jansson) and lists entries 1.. with
 * their names.  How to run: tests/fuzz/README.md.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/vm.h"
#include "devices/device.h"
#include "elftool.h"
#include "image/elf.h"
#include "image/elf_priv.h"
#include "modes/hvt/hvt.h"
#include "vm_fixture.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define DESC_MAX (12u << 10)
#define TEXT_OFF 0x1000u
#define NOTE_OFF 0x1100u

static uint8_t image[NOTE_OFF + 64 + 24 + DESC_MAX + 8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_quiet(argc, argv);
    return 0;
}

/* put_note: one note at image+off; returns the offset after it. */
static size_t put_note(size_t off, const char *owner, uint32_t type, const void *desc,
                       uint32_t descsz)
{
    struct elf64_nhdr h = {(uint32_t)strlen(owner) + 1, descsz, type};
    size_t namelen = (h.n_namesz + 3) & ~3u;

    memcpy(image + off, &h, sizeof h);
    memset(image + off + sizeof h, 0, namelen);
    memcpy(image + off + sizeof h, owner, h.n_namesz);
    off += sizeof h + namelen;
    memcpy(image + off, desc, descsz);
    memset(image + off + descsz, 0, ((descsz + 3) & ~3u) - descsz);
    return off + ((descsz + 3) & ~3u);
}

/* build: the image; returns its size and sets *desc_off. */
static size_t build(int solo5, const uint8_t *desc, uint32_t descsz, size_t *desc_off)
{
    struct elf64_ehdr eh = {.e_type = 2, .e_machine = 62, .e_version = 1, .e_entry = 0x100000,
                            .e_phoff = 64, .e_ehsize = 64, .e_phentsize = 56, .e_phnum = 2};
    struct elf64_phdr ph[2] = {
        {.p_type = 1, .p_flags = 5, .p_offset = TEXT_OFF, .p_vaddr = 0x100000,
         .p_paddr = 0x100000, .p_filesz = 16, .p_memsz = 16, .p_align = 0x1000},
        {.p_type = 4, .p_flags = 4, .p_offset = NOTE_OFF, .p_align = 4},
    };
    struct wisp_abi_note wn = {.abi_version = WISP_ABI_VERSION};
    struct abi1_info an = {.abi_target = SOLO5_ABI_TARGET_HVT, .abi_version = 2};
    size_t off;

    memset(image, 0, NOTE_OFF);
    memcpy(eh.e_ident, "\177ELF\2\1\1", 7);
    off = solo5 ? put_note(NOTE_OFF, SOLO5_NOTE_NAME, ABI1_NOTE_TYPE, &an, sizeof an)
                : put_note(NOTE_OFF, WISP_NOTE_NAME, WISP_NOTE_TYPE_ABI, &wn, sizeof wn);
    *desc_off = off + 12 + 8; /* header, "Solo5\0" padded to 8 */
    off = put_note(off, SOLO5_NOTE_NAME, MFT1_NOTE_TYPE, desc, descsz);
    ph[1].p_filesz = off - NOTE_OFF;
    memcpy(image, &eh, sizeof eh);
    memcpy(image + 64, ph, sizeof ph);
    memset(image + TEXT_OFF, 0x90, 16);
    return off;
}

/* check_json: query-manifest's output lists entries 1.. of m by name. */
static void check_json(const struct mft *m, size_t size)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    json_t *root, *devs;

    CHECK(f != NULL);
    print_manifest_json(f, m, size);
    CHECK(fclose(f) == 0);
    root = json_loadb(out, len, 0, NULL);
    CHECK(root != NULL);
    devs = json_object_get(root, "devices");
    CHECK(json_is_array(devs) && json_array_size(devs) == m->entries - 1);
    for (uint32_t i = 1; i < m->entries; i++) {
        json_t *name = json_object_get(json_array_get(devs, i - 1), "name");

        CHECK(json_is_string(name) && strcmp(json_string_value(name), m->e[i].name) == 0);
    }
    json_decref(root);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img;
    char err[ELF_ERR_MAX], merr[ELF_ERR_MAX];
    size_t desc_off, n;
    uint32_t descsz;
    int solo5, ok, mok;
    struct vm_fixture *x;

    if (size < 1)
        return 0;
    solo5 = data[0] & 1;
    descsz = (uint32_t)(size - 1 < DESC_MAX ? size - 1 : DESC_MAX);
    n = build(solo5, data + 1, descsz, &desc_off);
    ok = elf_parse("k", image, n, &img, err) == 0;
    mok = descsz >= 4 && mft_validate("k", data + 5, descsz - 4, merr) == 0;
    CHECK(ok == mok);
    if (!ok) {
        CHECK(strncmp(err, "k: ", 3) == 0);
        return 0;
    }
    CHECK(img.mft && (const uint8_t *)img.mft == image + desc_off + 4);
    CHECK(img.mft_size == descsz - 4);
    CHECK(img.mode == (solo5 ? WISP_MODE_SOLO5_HVT : WISP_MODE_ISOLATED));
    /* the tender's copy, as core/run.c setup_manifest makes it */
    x = vm_fixture_new(solo5 ? &mode_hvt : &mode_isolated, 0, NULL, 0);
    CHECK(x != NULL);
    free(x->vm.mft);
    x->vm.mft = calloc(1, img.mft_size);
    CHECK(x->vm.mft != NULL);
    memcpy(x->vm.mft, img.mft, img.mft_size);
    x->vm.mft_size = img.mft_size;
    x->vm.img = img;
    if (solo5)
        CHECK(hvt_check_image(&x->vm) == 0);
    for (unsigned i = 1; i < x->vm.mft->entries; i++) {
        struct mft_entry *e = NULL;
        unsigned handle = 0;
        char name[MFT_NAME_SIZE];

        memcpy(name, x->vm.mft->e[i].name, sizeof name);
        CHECK(device_lookup(&x->vm, "--opt", name, x->vm.mft->e[i].type, &e, &handle) == OPT_OK);
        CHECK(handle == i && e == &x->vm.mft->e[i]);
    }
    check_json(x->vm.mft, x->vm.mft_size);
    vm_fixture_free(x);
    return 0;
}
