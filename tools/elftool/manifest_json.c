/*
 * wisp-elftool: the JSON manifest source, as solo5-elftool gen-manifest
 * accepts it (SOLO5_HVT_ABI.md section 3):
 *   {"type": "solo5.manifest", "version": 1,
 *    "devices": [{"name": "NAME", "type": "BLOCK_BASIC" | "NET_BASIC"}, ...]}
 * Exactly these keys, all required; names 1..67 characters of [A-Za-z0-9],
 * unique; at most 63 devices.  Errors name the file and the JSON path.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "elftool.h"

#define DESCRIBE_MAX 96

const char *mft_type_name(uint32_t type)
{
    switch (type) {
    case MFT_DEV_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case MFT_DEV_NET_BASIC:
        return "NET_BASIC";
    default:
        return NULL;
    }
}

/*
 * describe: a short, printable description of a JSON value for "got ..."
 * in messages: strings quoted with unprintable bytes as '?' and cut after
 * 60 characters, integers as numbers, other values by kind.
 */
static const char *describe(const json_t *v, char buf[DESCRIBE_MAX])
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), i, o = 0;
        buf[o++] = '"';
        for (i = 0; i < n && i < 60; i++)
            buf[o++] = isprint((unsigned char)s[i]) ? s[i] : '?';
        if (n > 60) {
            memcpy(buf + o, "...", 3);
            o += 3;
        }
        buf[o++] = '"';
        buf[o] = 0;
        return buf;
    }
    case JSON_INTEGER:
        snprintf(buf, DESCRIBE_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    case JSON_REAL:
        return "a real number";
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return "null";
    }
}

/* check_keys: refuse any key of object `o` not in `allowed` (NULL ended);
 * `where` is the JSON path of `o` ("" for the top level). */
static int check_keys(const char *path, const char *where, json_t *o,
                      const char *const *allowed, const char *expected)
{
    const char *key;
    json_t *v;
    char d[DESCRIBE_MAX];

    json_object_foreach(o, key, v) {
        const char *const *a;
        for (a = allowed; *a != NULL; a++)
            if (strcmp(key, *a) == 0)
                break;
        if (*a == NULL) {
            json_t *k = json_string(key);
            elftool_err("%s: %s%sunknown key %s, expected only %s", path, where,
                    *where ? ": " : "", k ? describe(k, d) : "(?)", expected);
            json_decref(k);
            return -1;
        }
    }
    return 0;
}

/* check_name: device name rules; `i` is the device index for messages. */
static int check_name(const char *path, unsigned i, const json_t *v)
{
    char d[DESCRIBE_MAX];
    const char *s;
    size_t n, k;

    if (!json_is_string(v)) {
        elftool_err("%s: .devices[%u].name: expected a string of 1 to %d "
                "characters [A-Za-z0-9], got %s", path, i, MFT_NAME_MAX,
                v ? describe(v, d) : "nothing (missing)");
        return -1;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (n == 0 || n > MFT_NAME_MAX) {
        elftool_err("%s: .devices[%u].name: expected 1 to %d characters, "
                "got %zu", path, i, MFT_NAME_MAX, n);
        return -1;
    }
    for (k = 0; k < n; k++) {
        if (!isalnum((unsigned char)s[k]) || (unsigned char)s[k] >= 0x80) {
            elftool_err("%s: .devices[%u].name: expected only characters "
                    "[A-Za-z0-9], got %s", path, i, describe(v, d));
            return -1;
        }
    }
    return 0;
}

/* load_device: validate .devices[i] and store it as src->dev[i]. */
static int load_device(const char *path, unsigned i, json_t *dev,
                       struct mft_source *src)
{
    static const char *const keys[] = { "name", "type", NULL };
    char where[32], d[DESCRIBE_MAX];
    json_t *name, *type;
    const char *t;
    unsigned j;

    snprintf(where, sizeof(where), ".devices[%u]", i);
    if (!json_is_object(dev)) {
        elftool_err("%s: %s: expected an object {\"name\", \"type\"}, got %s",
                path, where, describe(dev, d));
        return -1;
    }
    if (check_keys(path, where, dev, keys, "\"name\" and \"type\"") < 0)
        return -1;
    name = json_object_get(dev, "name");
    if (check_name(path, i, name) < 0)
        return -1;
    type = json_object_get(dev, "type");
    t = json_is_string(type) ? json_string_value(type) : "";
    if (strcmp(t, "BLOCK_BASIC") == 0) {
        src->dev[i].type = MFT_DEV_BLOCK_BASIC;
    } else if (strcmp(t, "NET_BASIC") == 0) {
        src->dev[i].type = MFT_DEV_NET_BASIC;
    } else {
        elftool_err("%s: %s.type: expected \"BLOCK_BASIC\" or \"NET_BASIC\", "
                "got %s", path, where, type ? describe(type, d) : "nothing (missing)");
        return -1;
    }
    memcpy(src->dev[i].name, json_string_value(name), json_string_length(name) + 1);
    for (j = 0; j < i; j++) {
        if (strcmp(src->dev[j].name, src->dev[i].name) == 0) {
            elftool_err("%s: %s.name: duplicate device name \"%s\", first "
                    "declared at .devices[%u]", path, where, src->dev[i].name, j);
            return -1;
        }
    }
    return 0;
}

/* load_root: validate the top-level object and every device. */
static int load_root(const char *path, json_t *root, struct mft_source *src)
{
    static const char *const keys[] = { "type", "version", "devices", NULL };
    char d[DESCRIBE_MAX];
    json_t *v;
    size_t n, i;

    if (!json_is_object(root)) {
        elftool_err("%s: expected a JSON object at the top level, got %s",
                path, describe(root, d));
        return -1;
    }
    if (check_keys(path, "", root, keys,
                   "\"type\", \"version\" and \"devices\"") < 0)
        return -1;

    v = json_object_get(root, "type");
    if (!json_is_string(v) || strcmp(json_string_value(v), "solo5.manifest") != 0 ||
        json_string_length(v) != strlen("solo5.manifest")) {
        elftool_err("%s: .type: expected \"solo5.manifest\", got %s", path,
                v ? describe(v, d) : "nothing (missing)");
        return -1;
    }
    v = json_object_get(root, "version");
    if (!json_is_integer(v) || json_integer_value(v) != MFT_VERSION) {
        elftool_err("%s: .version: expected %d, got %s", path, MFT_VERSION,
                v ? describe(v, d) : "nothing (missing)");
        return -1;
    }
    v = json_object_get(root, "devices");
    if (!json_is_array(v)) {
        elftool_err("%s: .devices: expected an array of devices, got %s", path,
                v ? describe(v, d) : "nothing (missing)");
        return -1;
    }
    n = json_array_size(v);
    if (n > MFT_MAX_DEVICES) {
        elftool_err("%s: .devices[]: too many entries, maximum %d", path,
                MFT_MAX_DEVICES);
        return -1;
    }
    for (i = 0; i < n; i++)
        if (load_device(path, (unsigned)i, json_array_get(v, i), src) < 0)
            return -1;
    src->ndevices = (unsigned)n;
    return 0;
}

int mft_source_load(const char *path, struct mft_source *src)
{
    json_error_t jerr;
    json_t *root;
    uint8_t *buf;
    size_t size;
    int rc;

    memset(src, 0, sizeof(*src));
    if (read_file_bounded(path, MFT_SOURCE_MAX, &buf, &size) < 0)
        return -1;
    root = json_loadb((const char *)buf, size, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (root == NULL) {
        elftool_err("%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
                jerr.text);
        return -1;
    }
    rc = load_root(path, root, src);
    json_decref(root);
    return rc;
}
