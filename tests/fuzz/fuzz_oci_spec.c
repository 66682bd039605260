/*
 * libFuzzer target for wisp-oci's config.json parser (tender/oci/spec.c,
 * oci_spec_load): the bundle comes from whoever runs containers.  Each
 * input is written as the config.json of a bundle made once in a temporary
 * directory, whose rootfs holds a regular file /k, a directory /d and a
 * symlink /up -> ../../.. (openat2 must keep it inside).  Accepted specs must
 * name a unikernel inside the rootfs, a NUL-terminated command line and at
 * most WISP_MAX_DEVICE_ARGS device options.  How to run: tests/fuzz/README.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_quiet.h"
#include "oci/oci.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static char bundle[64] = "/tmp/wisp-fuzz-oci-XXXXXX";
static char config[128];

/* remove_bundle: at exit, the temporary bundle. */
static void remove_bundle(void)
{
    static const char *const names[] = {"config.json", "rootfs/k", "rootfs/up", NULL};
    char path[192];

    for (const char *const *n = names; *n; n++) {
        snprintf(path, sizeof path, "%s/%s", bundle, *n);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/rootfs/d", bundle);
    rmdir(path);
    snprintf(path, sizeof path, "%s/rootfs", bundle);
    rmdir(path);
    rmdir(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[192];
    FILE *f;

    fuzz_quiet(argc, argv);
    CHECK(mkdtemp(bundle));
    snprintf(path, sizeof path, "%s/rootfs", bundle);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/rootfs/d", bundle);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/rootfs/k", bundle);
    CHECK((f = fopen(path, "w")) && fputs("k", f) >= 0 && fclose(f) == 0);
    snprintf(path, sizeof path, "%s/rootfs/up", bundle);
    CHECK(symlink("../../..", path) == 0);
    snprintf(config, sizeof config, "%s/config.json", bundle);
    atexit(remove_bundle);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct oci_spec spec;
    char rootfs[128];
    FILE *f = fopen(config, "w");

    CHECK(f);
    CHECK(fwrite(data, 1, size, f) == size || size == 0);
    CHECK(fclose(f) == 0);
    if (oci_spec_load(bundle, &spec) == 0 && !spec.sandbox) {
        snprintf(rootfs, sizeof rootfs, "%s/rootfs/", bundle);
        CHECK(strncmp(spec.kernel, rootfs, strlen(rootfs)) == 0);
        CHECK(memchr(spec.cmdline, '\0', sizeof spec.cmdline));
        CHECK(spec.ndevice_args <= WISP_MAX_DEVICE_ARGS);
        CHECK(spec.nns <= OCI_MAX_NS);
    }
    oci_spec_free(&spec);
    return 0;
}
