/*
 * libFuzzer target for the crash-report symbol table (tender/debug/
 * symbols.c): it reads .symtab and its string table from the unikernel
 * file, which is hostile.  Each input is the file: symbols_load must not
 * read outside it, every name it keeps must be a NUL-terminated string of
 * the table, and lookups (also through symbols_backtrace, without guest
 * memory) must stay inside the table.  How to run: tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "debug/symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t probes[] = {0, 1, 0x100000, 0x100010, 0x101000, 0x200000,
                                      UINT64_MAX};
    struct vm vm;
    uint8_t *file;
    char buf[512];

    /* the tender's copy is page-aligned: so is this one (and exact-sized,
     * so ASan sees any read past the end) */
    file = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
    if (!file)
        return 0;
    memcpy(file, data, size);
    memset(&vm, 0, sizeof vm);
    vm.img.file = file;
    vm.img.file_size = size;
    symbols_load(&vm);
    for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        uint64_t off = 0;
        const char *name = symbols_find(&vm, probes[i], &off);

        if (name) {
            CHECK(strlen(name) > 0);
            CHECK(off <= probes[i]);
        }
        symbols_backtrace(&vm, probes[i], 0x1000, 0, UINT64_MAX, buf, sizeof buf);
        CHECK(strlen(buf) < sizeof buf);
    }
    symbols_free(&vm);
    CHECK(vm.symbols == NULL);
    free(file);
    return 0;
}
