/* file_cache.c: remembered lookups and small files of the archive
 * (file_cache.h).  Open addressing with linear probing; never evicts. */
#include <stdlib.h>
#include <string.h>

#include "file_cache.h"

struct entry {
    char *name; /* NULL: free slot */
    int found;
    struct ustar_member m;
    uint8_t *data;
};

static struct entry table[FILE_CACHE_NAMES];
static unsigned used;
static uint64_t data_bytes;

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

/* remember: add NAME's outcome R (0 or -1) to the free slot E, with the
 * data of a small file if the budget allows. */
static void remember(struct entry *e, const char *name, int r, const struct ustar_member *m,
                     solo5_handle_t h, const struct solo5_block_info *bi)
{
    size_t n = strlen(name) + 1;

    e->name = malloc(n);
    if (!e->name)
        return;
    memcpy(e->name, name, n);
    e->found = r == 0;
    e->data = NULL;
    if (e->found) {
        e->m = *m;
        if (m->size <= FILE_CACHE_FILE_MAX && data_bytes + m->size <= FILE_CACHE_BYTES) {
            e->data = malloc(m->size ? (size_t)m->size : 1);
            if (e->data && ustar_read(h, bi, m, 0, e->data, (size_t)m->size) != (long)m->size) {
                free(e->data);
                e->data = NULL;
            }
            if (e->data)
                data_bytes += m->size;
        }
    }
    used++;
}

int file_cache_get(solo5_handle_t h, const struct solo5_block_info *bi, const char *name,
                   struct ustar_member *m, const uint8_t **data)
{
    uint32_t i = hash(name) % FILE_CACHE_NAMES;
    int r;

    *data = NULL;
    for (; table[i].name; i = (i + 1) % FILE_CACHE_NAMES) {
        if (strcmp(table[i].name, name) == 0) {
            if (!table[i].found)
                return -1;
            *m = table[i].m;
            *data = table[i].data;
            return 0;
        }
    }
    r = ustar_find(h, bi, name, m);
    if (r != -2 && used < FILE_CACHE_NAMES / 4 * 3) {
        remember(&table[i], name, r, m, h, bi);
        if (table[i].name)
            *data = table[i].data;
    }
    return r;
}

void file_cache_forget(void)
{
    for (unsigned i = 0; i < FILE_CACHE_NAMES; i++) {
        free(table[i].name);
        free(table[i].data);
        table[i].name = NULL;
        table[i].data = NULL;
    }
    used = 0;
    data_bytes = 0;
}
