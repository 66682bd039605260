/*
 * libFuzzer target for wisp-elftool's JSON manifest parser
 * (tools/elftool/manifest_json.c, mft_source_load): a manifest source is
 * untrusted input of the build.  mft_source_load takes a path, so each
 * input is written to a memfd (a regular file, as read_file_bounded wants)
 * and loaded through /proc/self/fd/N.  A manifest it accepts must hold
 * 0..MFT_MAX_DEVICES (63) devices, each with a NUL-terminated name of 1..67
 * characters of [A-Za-z0-9], unique, and type BLOCK_BASIC or NET_BASIC; the
 * unused slots stay zero.  The parser's error messages on stderr are
 * silenced (fuzz_quiet.h; FUZZ_SHOW_ERRORS=1 shows them).
 * How to run: tests/fuzz/README.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elftool.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int mfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    mfd = memfd_create("fuzz-manifest", MFD_CLOEXEC);
    if (mfd < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
    fuzz_quiet(argc, argv);
    return 0;
}

static int name_ok(const char *n)
{
    size_t len = strnlen(n, MFT_NAME_SIZE);

    if (len == 0 || len >= MFT_NAME_SIZE)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z') ||
              (n[i] >= '0' && n[i] <= '9')))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mft_source src;
    static const struct mft_source zero;

    if (size > MFT_SOURCE_MAX)
        return 0;
    if (ftruncate(mfd, 0) < 0 || pwrite(mfd, data, size, 0) != (ssize_t)size)
        abort();
    memset(&src, 0xa5, sizeof src);
    if (mft_source_load(path, &src) != 0)
        return 0;
    CHECK(src.ndevices <= MFT_MAX_DEVICES && MFT_MAX_DEVICES == 63);
    for (unsigned i = 0; i < src.ndevices; i++) {
        CHECK(name_ok(src.dev[i].name));
        CHECK(src.dev[i].type == MFT_DEV_BLOCK_BASIC || src.dev[i].type == MFT_DEV_NET_BASIC);
        CHECK(mft_type_name(src.dev[i].type) != NULL);
        for (unsigned j = 0; j < i; j++)
            CHECK(strcmp(src.dev[i].name, src.dev[j].name) != 0);
    }
    for (unsigned i = src.ndevices; i < MFT_MAX_DEVICES; i++)
        CHECK(memcmp(&src.dev[i], &zero.dev[i], sizeof src.dev[i]) == 0);
    return 0;
}
