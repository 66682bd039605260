/*
 * start.c: the process target's start-up, in order: read argc and argv
 * from the initial stack, arm the stack protector, find the manifest,
 * parse the options, open the devices, map the heap, install the crash
 * handler, confine, then run the
 * application and exit with its status.
 */
#include "internal.h"
#include "sys.h"

static struct wp_config cfg;

void wp_start(uint64_t *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    uint64_t canary;
    long heap;

    if (sys3(SYS_getrandom, &canary, sizeof canary, 0) != sizeof canary)
        wp_fail("cannot get random bytes for the stack protector");
    wg_ssp_init(canary);

    wp_manifest_load();
    wp_cli_parse(argc, argv, &cfg);
    for (uint32_t h = 1; h < wp_mft->entries; h++) {
        if (wp_mft->e[h].type == MFT_DEV_NET_BASIC)
            wp_net_attach(h, &wp_dev[h]);
        else
            wp_block_attach(h, &wp_dev[h]);
    }
    heap = sys6(SYS_mmap, 0, (long)cfg.mem_size, WP_PROT_READ | WP_PROT_WRITE,
                WP_MAP_PRIVATE | WP_MAP_ANONYMOUS | WP_MAP_NORESERVE, -1, 0);
    if (heap < 0 && heap > -4096)
        wp_fail("--mem: cannot map %llu MiB: %s", (unsigned long long)(cfg.mem_size >> 20),
                wp_strerror(-heap));
    wp_crash_init();
    wp_confine();

    struct solo5_start_info si = {
        .cmdline = cfg.cmdline,
        .heap_start = (uintptr_t)heap,
        .heap_size = (size_t)cfg.mem_size,
    };
    solo5_exit(solo5_app_main(&si));
}
