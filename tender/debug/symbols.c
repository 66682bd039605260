/*
 * The function-symbol table of crash reports (see symbols.h).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "debug/symbols.h"

#define SYM_MAX        65536u      /* functions kept */
#define SYM_NAMES_MAX  (4u << 20)  /* bytes of names kept */
#define FRAMES_MAX     16

struct sym {
    uint64_t start, size;
    uint32_t name; /* offset in names */
};

struct symbols {
    struct sym *s;
    unsigned n;
    char *names;
};

/* section: section header i, or NULL if outside the file. */
static const Elf64_Shdr *section(const uint8_t *f, size_t fsize, const Elf64_Ehdr *eh, unsigned i)
{
    uint64_t at = eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr);

    if (i >= eh->e_shnum || eh->e_shoff > fsize || at > fsize - sizeof(Elf64_Shdr))
        return NULL;
    return (const Elf64_Shdr *)(f + at);
}

static int in_file(uint64_t off, uint64_t size, size_t fsize)
{
    return off <= fsize && size <= fsize - off;
}

/* before: the table's order: by start address, then by symbol-table order
 * (a name's offset grows with it), so that of two names for one address the
 * lookup keeps finding the later one, as before the sort was in place. */
static int before(const struct sym *x, const struct sym *y)
{
    return x->start < y->start || (x->start == y->start && x->name < y->name);
}

/* sift_down: restore the max-heap below `i` in s[0..n). */
static void sift_down(struct sym *s, size_t i, size_t n)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        struct sym tmp;

        if (l < n && before(&s[big], &s[l]))
            big = l;
        if (r < n && before(&s[big], &s[r]))
            big = r;
        if (big == i)
            return;
        tmp = s[i];
        s[i] = s[big];
        s[big] = tmp;
        i = big;
    }
}

/* sort: heapsort in place: O(n log n) whatever the (hostile) order, and no
 * scratch buffer (qsort's would stay resident in the idle tender's heap). */
static void sort(struct sym *s, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(s, i, n);
    for (size_t end = n; end > 1; end--) {
        struct sym tmp = s[0];

        s[0] = s[end - 1];
        s[end - 1] = tmp;
        sift_down(s, 0, end - 1);
    }
}

/* scan: the functions kept, in symbol-table order: those with an address
 * and a NUL-terminated, non-empty name, up to SYM_MAX of them and
 * names_cap bytes of names (a name that does not fit is skipped).
 * Counts them in *n and their names' bytes in *names_used; with t, also
 * copies them into t->s and t->names (sized by a first call). */
static void scan(const uint8_t *f, const Elf64_Shdr *symtab, const Elf64_Shdr *strtab,
                 uint64_t names_cap, struct symbols *t, unsigned *n, uint64_t *names_used)
{
    uint64_t nsyms = symtab->sh_size / sizeof(Elf64_Sym);

    *n = 0;
    *names_used = 0;
    for (uint64_t i = 0; i < nsyms && *n < SYM_MAX; i++) {
        const Elf64_Sym *s = (const Elf64_Sym *)(f + symtab->sh_offset) + i;
        const char *name = (const char *)f + strtab->sh_offset + s->st_name;
        size_t len;

        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_value == 0 ||
            s->st_name >= strtab->sh_size)
            continue;
        len = strnlen(name, strtab->sh_size - s->st_name);
        /* Symbols may share a name (or the tail of one): the copies can
         * add up to more than the string table (found by
         * tests/fuzz/fuzz_symbols.c), hence the cap on the copies. */
        if (len == strtab->sh_size - s->st_name || len == 0 ||
            *names_used + len + 1 > names_cap)
            continue; /* unterminated, empty, or no room */
        if (t) {
            memcpy(t->names + *names_used, name, len + 1);
            t->s[*n] = (struct sym){s->st_value, s->st_size, (uint32_t)*names_used};
        }
        (*n)++;
        *names_used += len + 1;
    }
}

void symbols_load(struct vm *vm)
{
    const uint8_t *f = vm->img.file;
    size_t fsize = vm->img.file_size;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    const Elf64_Shdr *symtab = NULL, *strtab;
    struct symbols *t;
    uint64_t names_used, names_cap;
    unsigned n;

    if (!f || fsize < sizeof *eh || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        ((uintptr_t)f + eh->e_shoff) % 8)
        return;
    for (unsigned i = 0; i < eh->e_shnum && !symtab; i++) {
        const Elf64_Shdr *sh = section(f, fsize, eh, i);

        if (!sh)
            return;
        if (sh->sh_type == SHT_SYMTAB)
            symtab = sh;
    }
    if (!symtab || symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_offset % 8 ||
        !in_file(symtab->sh_offset, symtab->sh_size, fsize))
        return;
    strtab = section(f, fsize, eh, symtab->sh_link);
    if (!strtab || !in_file(strtab->sh_offset, strtab->sh_size, fsize) || strtab->sh_size == 0)
        return;
    /* Counted first, then allocated as one block of exactly that size:
     * the idle tender keeps only what crash reports use. */
    names_cap = strtab->sh_size < SYM_NAMES_MAX ? strtab->sh_size : SYM_NAMES_MAX;
    scan(f, symtab, strtab, names_cap, NULL, &n, &names_used);
    if (n == 0)
        return;
    t = malloc(sizeof *t + (size_t)n * sizeof *t->s + names_used);
    if (!t)
        return;
    t->s = (struct sym *)(void *)(t + 1);
    t->names = (char *)(t->s + n);
    scan(f, symtab, strtab, names_cap, t, &t->n, &names_used);
    sort(t->s, t->n);
    vm->symbols = t;
}

void symbols_free(struct vm *vm)
{
    if (!vm->symbols)
        return;
    free(vm->symbols); /* one block (symbols_load) */
    vm->symbols = NULL;
}

const char *symbols_find(const struct vm *vm, uint64_t addr, uint64_t *offset)
{
    const struct symbols *t = vm->symbols;
    unsigned lo = 0, hi;

    if (!t)
        return NULL;
    hi = t->n;
    while (hi - lo > 1) { /* the last symbol starting at or below addr */
        unsigned mid = lo + (hi - lo) / 2;

        if (t->s[mid].start <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (t->s[lo].start > addr || addr - t->s[lo].start >= (t->s[lo].size ? t->s[lo].size : 1))
        return NULL;
    *offset = addr - t->s[lo].start;
    return t->names + t->s[lo].name;
}

/* put: append one formatted line; keeps *used below len. */
static void put(char *buf, size_t len, size_t *used, const char *fmt, const char *name,
                uint64_t off, uint64_t addr)
{
    int n;

    if (*used >= len)
        return;
    n = snprintf(buf + *used, len - *used, fmt, name, (unsigned long long)off,
                 (unsigned long long)addr);
    if (n > 0)
        *used = (size_t)n < len - *used ? *used + (size_t)n : len - 1;
}

size_t symbols_backtrace(const struct vm *vm, uint64_t rip, uint64_t rbp, uint64_t stack_lo,
                         uint64_t stack_hi, char *buf, size_t len)
{
    size_t used = 0;
    uint64_t off;
    const char *name;

    if (len == 0)
        return 0;
    buf[0] = '\0';
    name = symbols_find(vm, rip, &off);
    if (name)
        put(buf, len, &used, "  in %s+0x%llx\n", name, off, rip);
    for (unsigned i = 0; i < FRAMES_MAX; i++) {
        const uint64_t *frame;
        uint64_t ret;

        /* a frame record: [rbp] = caller's rbp, [rbp+8] = return address */
        if (rbp % 8 || rbp < stack_lo || rbp >= stack_hi || stack_hi - rbp < 16)
            break;
        frame = gpa_to_host(vm, rbp, 16);
        if (!frame)
            break;
        ret = frame[1];
        name = symbols_find(vm, ret, &off);
        if (!name)
            break; /* not a return into known code: the chain ends here */
        put(buf, len, &used, "  called from %s+0x%llx (0x%llx)\n", name, off, ret);
        if (frame[0] <= rbp)
            break; /* frames go up the stack */
        rbp = frame[0];
    }
    return used;
}
