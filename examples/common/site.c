/* site.c: start-up shared by the httpd and https examples (site.h). */
#include <stdio.h>

#include "site.h"
#include "ustar.h"

int site_parse_args(const char *prog, int argc, char **argv, struct http_server_config *cfg)
{
    for (int i = 1; i < argc; i++) {
        int r = http_server_parse_timeout(argv[i], &cfg->timeout_s);

        if (r < 0)
            return -1;
        if (r == 0) {
            printf("%s: unknown argument '%s' (expected --timeout=SECONDS, --ipv4=ADDR/PREFIX, "
                   "--ipv4-gateway=ADDR)\n", prog, argv[i]);
            return -1;
        }
    }
    return 0;
}

int site_open(const char *name, struct http_server_config *cfg)
{
    struct ustar_member m;
    int r;

    if (solo5_block_acquire(name, &cfg->site, &cfg->site_info) != SOLO5_R_OK) {
        printf("site: no block device '%s' (attach the site's ustar archive with --block-ro:%s=FILE)\n",
               name, name);
        return -1;
    }
    r = ustar_find(cfg->site, &cfg->site_info, "index.html", &m);
    if (r == -2) {
        printf("site: block device '%s' does not hold a valid ustar archive "
               "(make one with tar --format=ustar)\n", name);
        return -1;
    }
    if (r == -1)
        printf("site: note: the archive on '%s' has no index.html; '/' will be 404\n", name);
    return 0;
}
