/*
 * wisp-elftool: write and read the manifest and ABI notes of wisp and Solo5
 * unikernels, compatible with solo5-elftool (SOLO5_HVT_ABI.md section 3).
 * Internal interfaces between the tool's files:
 *   main.c           argument parsing, usage, dispatch
 *   manifest_json.c  JSON manifest source -> struct mft_source (validated)
 *   gen_manifest.c   struct mft_source -> C file defining the MFT1 note
 *   query.c          query-manifest / query-abi on an ELF file
 *   json_print.c     solo5-elftool's JSON output format
 *   util.c           messages, bounded file reading, atomic file writing
 */
#ifndef WISP_ELFTOOL_H
#define WISP_ELFTOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wisp/abi.h"
#include "wisp/mft_abi.h"

#ifndef WISP_VERSION
#define WISP_VERSION "0.1.0"
#endif

#define ELFTOOL_NAME "wisp-elftool"
#define MFT_SOURCE_MAX (1u << 20)        /* larger JSON sources: refused */
#define MFT_MAX_DEVICES (MFT_MAX_ENTRIES - 1)

/* A manifest source after validation: devices only (entry 0 is implicit). */
struct mft_source {
    unsigned ndevices;                 /* 0 .. MFT_MAX_DEVICES */
    struct {
        char name[MFT_NAME_SIZE];      /* 1..67 chars of [A-Za-z0-9], NUL */
        enum mft_type type;            /* MFT_DEV_BLOCK_BASIC or _NET_BASIC */
    } dev[MFT_MAX_DEVICES];
};

/* ---- util.c ------------------------------------------------------------ */

/* elftool_err: print "wisp-elftool: " + the formatted text + newline to
 * stderr. */
void elftool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * read_file_bounded: read the whole regular file `path` into a malloc'ed
 * buffer (*buf, *size; one extra NUL byte after the data).  Files larger than
 * `max` bytes, non-regular files and read errors are refused with a message
 * naming `path` (printed here).  Returns 0 or -1.
 */
int read_file_bounded(const char *path, size_t max, uint8_t **buf, size_t *size);

/* flush_stdout: flush stdout; on a write error print it and return -1. */
int flush_stdout(void);

/*
 * output_open / output_commit / output_abort: write a file atomically.
 * output_open picks the stream: stdout for "-", the file itself if `path`
 * exists and is not a regular file (/dev/null, a FIFO), otherwise a
 * temporary file beside `path` that output_commit renames over it once all
 * data is flushed and synced.  output_abort removes the temporary file, so
 * a failed run leaves `path` untouched.  Both print their own errors.
 */
struct output {
    const char *path;
    FILE *f;
    char *tmp;      /* temporary file name, or NULL when writing in place */
};
int output_open(struct output *o, const char *path);
int output_commit(struct output *o);
void output_abort(struct output *o);

/* ---- manifest_json.c ----------------------------------------------------- */

/*
 * mft_source_load: read and validate the JSON manifest `path` into *src.
 * Every error is printed (naming the file and, where it helps, the JSON path
 * such as ".devices[2].name") and returns -1; success returns 0.
 */
int mft_source_load(const char *path, struct mft_source *src);

/* mft_type_name: "BLOCK_BASIC", "NET_BASIC", or NULL for other types. */
const char *mft_type_name(uint32_t type);

/* ---- gen_manifest.c / query.c (subcommands; return the exit status) ----- */
int cmd_gen_manifest(const char *source, const char *output);
int cmd_query_manifest(const char *binary);
int cmd_query_abi(const char *binary);

/* ---- json_print.c -------------------------------------------------------- */

/* print_manifest_json: the manifest `m` (validated, `size` bytes, possibly
 * unaligned) in solo5-elftool query-manifest's format, skipping entry 0. */
void print_manifest_json(FILE *f, const void *m, size_t size);

/* print_abi_json: { "type": TYPE, "target": TARGET, "version": V } over five
 * lines, as solo5-elftool query-abi prints it. */
void print_abi_json(FILE *f, const char *type, const char *target,
                    uint32_t version);

#endif /* WISP_ELFTOOL_H */
